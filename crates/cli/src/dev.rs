//! Development tools.
use clap::Subcommand;
#[derive(Subcommand, Debug)]
pub enum DevCommand {
    Seed,
}
pub async fn run(
    _d: Option<std::path::PathBuf>,
    _c: DevCommand,
    _j: bool,
) -> Result<(), rapport_core::ApiError> {
    Ok(())
}
