//! The load benchmark's floor: a bare tiny_http hello-world with the same worker-pool shape as
//! `tessera` (N threads on `recv()`), answering a fixed JSON body. Not part of the product.
//!
//! `cargo run --release -p tessera-server --example hello_floor -- 127.0.0.1:0 16`

use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".into());
    let workers: usize = args.next().map_or(Ok(16), |w| w.parse())?;
    let server = Arc::new(tiny_http::Server::http(addr.as_str()).map_err(|e| e.to_string())?);
    println!("hello_floor listening on http://{}", server.server_addr());
    let header =
        tiny_http::Header::from_bytes("Content-Type", "application/json").map_err(|()| "header")?;
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (server, header) = (server.clone(), header.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    let response =
                        tiny_http::Response::from_data(&b"{\"data\":\"Hello, bench!\"}"[..])
                            .with_header(header.clone());
                    let _ = request.respond(response);
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}
