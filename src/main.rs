fn main() -> std::process::ExitCode {
    vnr_brief::app::cli::main()
}
