fn main() -> std::process::ExitCode {
    vnr_brief::cli::main()
}
