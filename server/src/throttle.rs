//! Brute-force protection: failed logins are counted per account name and per client address,
//! and registrations per client address. In memory, bounded, and the same for names that exist
//! and names that do not, so a lock tells an attacker nothing about which accounts exist.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The numbers of the policy (`docs/operations.md` and `SECURITY.md` state the defaults).
#[derive(Debug, Clone)]
pub struct Policy {
    /// Failed logins an account name gets before it is locked.
    pub account_free_failures: u32,
    /// The first lock; each further failure after a lock doubles it.
    pub account_base_lock: Duration,
    /// The longest lock.
    pub account_max_lock: Duration,
    /// Failed logins one address may make in a burst.
    pub address_burst: u32,
    /// One more failed login is allowed per this interval.
    pub address_refill: Duration,
    /// Registrations one address may make in a burst.
    pub register_burst: u32,
    /// One more registration is allowed per this interval.
    pub register_refill: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            account_free_failures: 5,
            account_base_lock: Duration::from_secs(1),
            account_max_lock: Duration::from_secs(15 * 60),
            address_burst: 30,
            address_refill: Duration::from_secs(10),
            register_burst: 10,
            register_refill: Duration::from_secs(60),
        }
    }
}

/// Entries tracked per map before stale ones are dropped; bounds memory under a flood of names.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Account {
    failures: u32,
    locked_until: Option<Instant>,
    last_seen: Instant,
}

/// A token bucket: `tokens` left as of `at`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Why an attempt must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Whole seconds until the attempt may be retried (at least 1).
    pub retry_after: u64,
}

/// The counters.
#[derive(Debug, Default)]
pub struct Throttle {
    policy: Policy,
    accounts: Mutex<HashMap<String, Account>>,
    logins_by_address: Mutex<HashMap<IpAddr, Bucket>>,
    registrations_by_address: Mutex<HashMap<IpAddr, Bucket>>,
}

fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl Throttle {
    /// Counters under `policy`.
    #[must_use]
    pub fn new(policy: Policy) -> Throttle {
        Throttle {
            policy,
            ..Throttle::default()
        }
    }

    /// Whether a login for `account` (the normalised name, or the name as sent if it is not a
    /// valid one) from `address` may be tried now.
    ///
    /// # Errors
    ///
    /// [`Throttled`] while the account is locked or the address has used up its failures.
    pub fn check_login(
        &self,
        account: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), Throttled> {
        if let Ok(accounts) = self.accounts.lock()
            && let Some(until) = accounts.get(account).and_then(|a| a.locked_until)
            && until > now
        {
            return Err(Throttled {
                retry_after: seconds(until - now).max(1),
            });
        }
        if let Some(ip) = address
            && let Ok(buckets) = self.logins_by_address.lock()
            && let Some(b) = buckets.get(&ip)
        {
            let tokens = refill(
                *b,
                now,
                self.policy.address_burst,
                self.policy.address_refill,
            );
            if tokens < 1.0 {
                let wait = self.policy.address_refill.mul_f64(1.0 - tokens);
                return Err(Throttled {
                    retry_after: seconds(wait).max(1),
                });
            }
        }
        Ok(())
    }

    /// Records a failed login. Past the free failures, the account is locked, twice as long for
    /// each further failure. (Attempts during a lock never get here: they are refused first.)
    pub fn login_failed(&self, account: &str, address: Option<IpAddr>, now: Instant) {
        if let Ok(mut accounts) = self.accounts.lock() {
            evict(
                &mut accounts,
                now,
                |a| a.last_seen,
                self.policy.account_max_lock,
            );
            let a = accounts.entry(account.to_owned()).or_insert(Account {
                failures: 0,
                locked_until: None,
                last_seen: now,
            });
            a.failures = a.failures.saturating_add(1);
            a.last_seen = now;
            if let Some(excess) = a.failures.checked_sub(self.policy.account_free_failures)
                && excess > 0
            {
                let doubling = 2u32.saturating_pow(excess - 1);
                let lock = self
                    .policy
                    .account_base_lock
                    .saturating_mul(doubling)
                    .min(self.policy.account_max_lock);
                a.locked_until = Some(now + lock);
            }
        }
        if let Some(ip) = address {
            let (burst, every) = (self.policy.address_burst, self.policy.address_refill);
            take(&self.logins_by_address, ip, now, burst, every);
        }
    }

    /// Records a successful login: the account's count starts again.
    pub fn login_succeeded(&self, account: &str) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(account);
        }
    }

    /// Takes one registration from `address`'s allowance.
    ///
    /// # Errors
    ///
    /// [`Throttled`] when the allowance is used up.
    pub fn register(&self, address: Option<IpAddr>, now: Instant) -> Result<(), Throttled> {
        let Some(ip) = address else { return Ok(()) };
        let (burst, every) = (self.policy.register_burst, self.policy.register_refill);
        if take(&self.registrations_by_address, ip, now, burst, every) {
            Ok(())
        } else {
            let wait = self
                .registrations_by_address
                .lock()
                .ok()
                .and_then(|m| m.get(&ip).copied())
                .map_or(every, |b| {
                    every.mul_f64((1.0 - refill(b, now, burst, every)).max(0.0))
                });
            Err(Throttled {
                retry_after: seconds(wait).max(1),
            })
        }
    }
}

/// Tokens in `b` at `now`, refilled at one per `every`, up to `burst`.
fn refill(b: Bucket, now: Instant, burst: u32, every: Duration) -> f64 {
    let gained = now.saturating_duration_since(b.at).as_secs_f64() / every.as_secs_f64().max(1e-9);
    (b.tokens + gained).min(f64::from(burst))
}

/// Takes a token from `ip`'s bucket; false if there was none.
fn take(
    map: &Mutex<HashMap<IpAddr, Bucket>>,
    ip: IpAddr,
    now: Instant,
    burst: u32,
    every: Duration,
) -> bool {
    let Ok(mut map) = map.lock() else {
        return false;
    };
    evict(&mut map, now, |b| b.at, every.saturating_mul(burst));
    let bucket = map.entry(ip).or_insert(Bucket {
        tokens: f64::from(burst),
        at: now,
    });
    let tokens = refill(*bucket, now, burst, every);
    if tokens >= 1.0 {
        *bucket = Bucket {
            tokens: tokens - 1.0,
            at: now,
        };
        true
    } else {
        false
    }
}

/// When a map is full, forgets entries not touched for `stale` (they would have reset anyway).
fn evict<K, V>(
    map: &mut HashMap<K, V>,
    now: Instant,
    seen: impl Fn(&V) -> Instant,
    stale: Duration,
) {
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, v| now.saturating_duration_since(seen(v)) < stale);
    }
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            account_free_failures: 3,
            address_burst: 100,
            ..Policy::default()
        }
    }

    #[test]
    fn an_account_locks_after_its_free_failures_and_the_lock_doubles() {
        let t = Throttle::new(policy());
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.check_login("bob", None, now), Ok(()));
            t.login_failed("bob", None, now);
        }
        assert_eq!(
            t.check_login("bob", None, now),
            Ok(()),
            "three failures are free"
        );
        t.login_failed("bob", None, now);
        assert_eq!(
            t.check_login("bob", None, now),
            Err(Throttled { retry_after: 1 })
        );
        let later = now + Duration::from_secs(1);
        assert_eq!(t.check_login("bob", None, later), Ok(()), "the lock ends");
        t.login_failed("bob", None, later);
        assert_eq!(
            t.check_login("bob", None, later),
            Err(Throttled { retry_after: 2 })
        );
        assert_eq!(
            t.check_login("alice", None, later),
            Ok(()),
            "other accounts are untouched"
        );
    }

    #[test]
    fn success_resets_the_count() {
        let t = Throttle::new(policy());
        let now = Instant::now();
        for _ in 0..3 {
            t.login_failed("bob", None, now);
        }
        t.login_succeeded("bob");
        t.login_failed("bob", None, now);
        assert_eq!(t.check_login("bob", None, now), Ok(()));
    }

    #[test]
    fn an_address_gets_a_burst_of_failures_then_one_per_interval() {
        let t = Throttle::new(Policy {
            address_burst: 2,
            address_refill: Duration::from_secs(10),
            ..Policy::default()
        });
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = Instant::now();
        t.login_failed("a", Some(ip), now);
        t.login_failed("b", Some(ip), now);
        assert_eq!(
            t.check_login("c", Some(ip), now),
            Err(Throttled { retry_after: 10 })
        );
        assert_eq!(t.check_login("c", Some([10, 0, 0, 2].into()), now), Ok(()));
        assert_eq!(
            t.check_login("c", Some(ip), now + Duration::from_secs(10)),
            Ok(())
        );
    }

    #[test]
    fn registrations_per_address_are_limited() {
        let t = Throttle::new(Policy {
            register_burst: 2,
            ..Policy::default()
        });
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = Instant::now();
        assert!(t.register(Some(ip), now).is_ok());
        assert!(t.register(Some(ip), now).is_ok());
        assert_eq!(
            t.register(Some(ip), now),
            Err(Throttled { retry_after: 60 })
        );
    }
}
