//! The Tauri shell: wiring only. Every command forwards to `rapport-core`; nothing here decides
//! anything about the records.

use std::sync::Arc;

use rapport_core::{ApiError, Call, Rapport, SystemClock};
use tauri::Manager;

/// The one command: a call of the Rust API (`{op, args}`), answered with its JSON result. Every
/// operation lives in `rapport-core`; this shell only forwards.
#[tauri::command]
async fn call(
    app: tauri::State<'_, Rapport>,
    call: serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    app.dispatch(Call::from_value(call)?).await
}

/// The vault's directory: the one the `rapport` command uses too (see
/// `rapport_core::default_data_dir`), else the directory the platform gives the app (phones).
fn data_dir(handle: &tauri::AppHandle) -> Result<std::path::PathBuf, String> {
    if let Some(dir) = rapport_core::default_data_dir() {
        return Ok(dir);
    }
    handle
        .path()
        .app_data_dir()
        .map_err(|e| format!("no data directory: {e}"))
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("RAPPORT_LOG"))
        .init();
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = data_dir(app.handle())?;
            let rapport =
                tauri::async_runtime::block_on(Rapport::open(&dir, Arc::new(SystemClock)))
                    .map_err(|e| e.message)?;
            app.manage(rapport);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![call])
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("Rapport could not start: {e}");
        std::process::exit(1);
    }
}
