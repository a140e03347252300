//! The Tauri shell: wiring only. Every command forwards to `rapport-core`; nothing here decides
//! anything about the records.

use std::sync::Arc;

use rapport_core::model::Kind;
use rapport_core::{
    ApiError, ListRequest, ListResponse, Rapport, SearchRequest, SearchResponse, SystemClock,
};
use tauri::Manager;

#[tauri::command]
async fn list_records(
    app: tauri::State<'_, Rapport>,
    kind: Kind,
    limit: Option<usize>,
) -> Result<ListResponse, ApiError> {
    app.list(ListRequest {
        kind: Some(kind),
        limit,
        ..Default::default()
    })
    .await
}

#[tauri::command]
async fn search(
    app: tauri::State<'_, Rapport>,
    query: String,
    limit: Option<usize>,
) -> Result<SearchResponse, ApiError> {
    app.search(SearchRequest {
        query,
        kind: None,
        limit,
    })
    .await
}

/// The vault's directory: `RAPPORT_DATA_DIR`, or the platform's data directory for the app.
fn data_dir(handle: &tauri::AppHandle) -> Result<std::path::PathBuf, String> {
    if let Some(dir) = std::env::var_os("RAPPORT_DATA_DIR") {
        return Ok(dir.into());
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
        .invoke_handler(tauri::generate_handler![list_records, search])
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("Rapport could not start: {e}");
        std::process::exit(1);
    }
}
