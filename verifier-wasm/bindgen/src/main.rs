//! Runs the wasm-bindgen generator on the verifier's `.wasm`, for the targets the npm package
//! ships: `web` (browsers, Deno, Cloudflare Workers / workerd, and Node ESM through a small
//! loader) and `nodejs` (Node CommonJS). Built from crates.io at exactly the `wasm-bindgen`
//! version the verifier uses, so nothing is downloaded.
//!
//! `cargo run -p tessera-bindgen -- <input.wasm> <out-dir>`

use std::path::PathBuf;

use wasm_bindgen_cli_support::Bindgen;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: tessera-bindgen <input.wasm> <out-dir>".into());
    };
    Bindgen::new()
        .input_path(&input)
        .out_name("tessera_verifier")
        .typescript(true)
        // `await init()` with no argument loads the .wasm next to the JS, as the CLI does.
        .omit_default_module_path(false)
        .web(true)?
        .generate(out.join("web"))?;
    Bindgen::new()
        .input_path(&input)
        .out_name("tessera_verifier")
        .typescript(true)
        .nodejs(true)?
        .generate(out.join("node"))?;
    Ok(())
}
