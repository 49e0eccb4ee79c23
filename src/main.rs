//! The `orgctl` binary: everything lives in the library; see `orgctl::cli`.

fn main() -> std::process::ExitCode {
    orgctl::cli::main()
}
