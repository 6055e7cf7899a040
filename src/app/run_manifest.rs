//! The manifest a run or a re-render writes into its folder: the spec, lock, inputs and
//! templates it used, the checksum of every output, and the command that writes it again.

use std::path::Path;

use super::pipeline::write_file;
use crate::error::Result;
use crate::io::inputs;
use crate::present::render::{self, BUILT_IN};
use crate::publish::manifest::{self, FileEntry, Manifest, TemplateEntry, TOOL, VERSION};
use crate::results::Results;
use crate::spec::{Format, LoadedSpec};

pub(super) fn write_manifest(
    tmp: &Path,
    out: &Path,
    spec: &LoadedSpec,
    results: &Results,
    templates: &render::Templates,
    template_dir: Option<&Path>,
    format_flag: Option<&[Format]>,
) -> Result<()> {
    let rel = |p: &Path| manifest::relative_path(p, out);
    let spec_entry = FileEntry {
        path: rel(&spec.path)?,
        sha256: inputs::sha256_hex(&spec.bytes),
        bytes: spec.bytes.len() as u64,
    };
    let lock_path = inputs::lock_path(spec);
    let lock = if lock_path.exists() {
        Some(manifest::entry(&lock_path, rel(&lock_path)?)?)
    } else {
        None
    };
    let inputs = results
        .inputs
        .iter()
        .map(|i| {
            Ok(FileEntry {
                path: rel(&spec.resolve(Path::new(&i.path)))?,
                sha256: i.sha256.clone(),
                bytes: i.bytes,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut args = vec![spec_entry.path.clone()];
    if let Some(dir) = template_dir {
        args.extend(["--templates".into(), rel(dir)?]);
    }
    // A run with `--format` is reproduced with it.
    if let Some(formats) = format_flag {
        let names: Vec<String> = formats.iter().map(|&f| String::from(f)).collect();
        args.extend(["--format".into(), names.join(",")]);
    }
    let reproduce = reproduce_line("run", &args);
    write_manifest_file(
        tmp,
        out,
        reproduce,
        Some(spec_entry),
        lock,
        inputs,
        templates,
    )
}

/// The command that writes this brief again. Its paths are relative to the brief folder (as every
/// path in the manifest), so the same run into two folders, or a copied folder, gives the same line.
pub(super) fn reproduce_line(command: &str, args: &[String]) -> String {
    format!(
        "(from this folder) vnr-brief {command} {} --out NEW_FOLDER",
        args.join(" ")
    )
}

/// Hash every file in the finished output folder and write the manifest listing them.
pub(super) fn write_manifest_file(
    tmp: &Path,
    out: &Path,
    reproduce: String,
    spec: Option<FileEntry>,
    lock: Option<FileEntry>,
    input_entries: Vec<FileEntry>,
    templates: &render::Templates,
) -> Result<()> {
    let outputs = manifest::list_files(tmp)?
        .into_iter()
        .map(|f| manifest::entry(&tmp.join(&f), f))
        .collect::<Result<Vec<_>>>()?;
    let m = Manifest {
        tool: TOOL.into(),
        version: VERSION.into(),
        reproduce,
        spec,
        lock,
        inputs: input_entries,
        template_source: match templates.source.as_str() {
            BUILT_IN => BUILT_IN.to_string(),
            dir => manifest::relative_path(Path::new(dir), out)?,
        },
        templates: templates
            .texts
            .iter()
            .map(|(name, text)| TemplateEntry {
                name: name.clone(),
                sha256: inputs::sha256_hex(text.as_bytes()),
            })
            .collect(),
        outputs,
    };
    let mut text = serde_json::to_string_pretty(&m).expect("manifest serialises");
    text.push('\n');
    write_file(&tmp.join(manifest::MANIFEST), text.as_bytes())
}
