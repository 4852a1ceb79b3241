//! Answers that tell a client to come back later (`503 Busy`, `429`) are held back for a moment
//! before they go out, by one thread, without holding a worker.
//!
//! A client that ignores `Retry-After` and asks again at once (a login flood, a brute-force
//! script) would otherwise turn each refusal into the next request: the server would spend its
//! CPU answering refusals, starving the password hashing it is waiting for and the token
//! requests it should serve. Held answers slow such a client to a few requests a second per
//! connection, and cost a sleeping connection each, which the connection cap already bounds.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// An answer to send later.
type Answer = Box<dyn FnOnce() + Send>;

/// One thread that runs each answer once its hold is over, in the order they came.
pub struct Tarpit {
    hold: Duration,
    queue: Option<SyncSender<(Instant, Answer)>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Tarpit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tarpit")
            .field("hold", &self.hold)
            .finish_non_exhaustive()
    }
}

impl Tarpit {
    /// Holds each answer for `hold`; at most `capacity` answers wait at once.
    ///
    /// # Errors
    ///
    /// The I/O error if the thread cannot be started.
    pub fn start(hold: Duration, capacity: usize) -> std::io::Result<Tarpit> {
        let (queue, answers) = sync_channel(capacity.max(1));
        let thread = std::thread::Builder::new()
            .name("tessera-tarpit".into())
            .spawn(move || answer_when_due(&answers))?;
        Ok(Tarpit {
            hold,
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Runs `answer` once the hold is over, or gives it back (to run now) when the queue is full.
    ///
    /// # Errors
    ///
    /// `answer` itself, when it cannot be held.
    pub fn hold<F: FnOnce() + Send + 'static>(&self, answer: F) -> Result<(), Answer> {
        let due = Instant::now() + self.hold;
        let Some(queue) = &self.queue else {
            return Err(Box::new(answer));
        };
        queue
            .try_send((due, Box::new(answer)))
            .map_err(|e| match e {
                TrySendError::Full((_, answer)) | TrySendError::Disconnected((_, answer)) => answer,
            })
    }
}

/// Every held answer goes out: dropping the tarpit waits for the last one (at most one hold).
impl Drop for Tarpit {
    fn drop(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The hold is the same for every answer, so they fall due in the order they arrived.
fn answer_when_due(answers: &Receiver<(Instant, Answer)>) {
    for (due, answer) in answers {
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        answer();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn a_held_answer_goes_out_after_the_hold_and_not_before() {
        let tarpit = Tarpit::start(Duration::from_millis(50), 4).unwrap();
        let (sent, received) = channel();
        let held_at = Instant::now();
        assert!(
            tarpit
                .hold(move || sent.send(Instant::now()).unwrap())
                .is_ok()
        );
        let answered_at = received.recv().unwrap();
        assert!(answered_at - held_at >= Duration::from_millis(50));
    }

    #[test]
    fn answers_go_out_in_the_order_they_came() {
        let tarpit = Tarpit::start(Duration::from_millis(1), 16).unwrap();
        let (sent, received) = channel();
        for i in 0..10 {
            let sent = sent.clone();
            assert!(tarpit.hold(move || sent.send(i).unwrap()).is_ok());
        }
        drop(tarpit);
        assert_eq!(
            received.try_iter().collect::<Vec<_>>(),
            (0..10).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_full_tarpit_gives_the_answer_back_to_send_now() {
        let tarpit = Tarpit::start(Duration::from_secs(60), 1).unwrap();
        // The thread takes the first answer off the queue and sleeps on it; two more fill the
        // one-slot queue and overflow it, whenever the thread gets there.
        let results: Vec<bool> = (0..3).map(|_| tarpit.hold(|| ()).is_ok()).collect();
        assert!(results.iter().any(|held| !held), "{results:?}");
        let given_back = tarpit.hold(|| ());
        assert!(given_back.is_err());
        std::mem::forget(tarpit); // Dropping it would wait out the minute.
    }

    #[test]
    fn dropping_the_tarpit_sends_every_held_answer() {
        let tarpit = Tarpit::start(Duration::from_millis(20), 8).unwrap();
        let (sent, received) = channel();
        for _ in 0..5 {
            let sent = sent.clone();
            assert!(tarpit.hold(move || sent.send(()).unwrap()).is_ok());
        }
        drop(tarpit);
        assert_eq!(received.try_iter().count(), 5);
    }
}
