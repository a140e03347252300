//! The Tauri shell: wiring only. Every command forwards to `rapport-core`; nothing here decides
//! anything about the records.

use std::sync::Arc;

use rapport_core::{ApiError, AppEvent, Call, Rapport, SystemClock, node_config_from_env};
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

/// Forwards the app's events (sync, reminders) to the window, and reminders to the system's
/// notifications as well.
fn forward_events(handle: tauri::AppHandle, rapport: Rapport) {
    use tauri::Emitter;
    use tauri_plugin_notification::NotificationExt;
    let mut events = rapport.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let AppEvent::Reminder(r) = &event
                        && let Err(e) = handle
                            .notification()
                            .builder()
                            .title(&r.title)
                            .body(&r.body)
                            .show()
                    {
                        tracing::warn!(error = %e, "could not show a notification");
                    }
                    if let Err(e) = handle.emit("rapport://event", &event) {
                        tracing::warn!(error = %e, "could not reach the window");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

/// Starts what runs behind the screens: reminders always; sync unless `RAPPORT_SYNC=off`
/// (the network settings are those of `rapport sync`).
fn start_background(rapport: &Rapport) {
    rapport.start_reminders();
    if std::env::var("RAPPORT_SYNC").is_ok_and(|v| v.trim() == "off") {
        return;
    }
    let rapport = rapport.clone();
    tauri::async_runtime::spawn(async move {
        let started = match node_config_from_env() {
            Ok(config) => rapport.start_sync(config).await,
            Err(e) => Err(e),
        };
        if let Err(e) = started {
            // The app works offline all the same; the devices screen says why.
            tracing::warn!(code = ?e.code, "sync did not start");
        }
    });
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("RAPPORT_LOG"))
        .init();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let dir = data_dir(app.handle())?;
            let rapport =
                tauri::async_runtime::block_on(Rapport::open(&dir, Arc::new(SystemClock)))
                    .map_err(|e| e.message)?;
            forward_events(app.handle().clone(), rapport.clone());
            tauri::async_runtime::block_on(async { start_background(&rapport) });
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
