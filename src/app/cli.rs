//! The command line: every flag is defined here, and each subcommand calls one library entry point.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use polars::prelude::*;

use crate::app::pipeline;
use crate::error::{Error, Result};
use crate::io::inputs;
use crate::present::render::group_thousands;
use crate::spec::Format;
use crate::{spec, synth};

#[derive(Parser, Debug)]
#[command(
    name = "vnr-brief",
    version,
    about = "Reproducible, auditable VNR country briefs from household-survey microdata",
    after_help = "Exit codes: 0 ok, 2 usage, 3 spec, 4 input or checksum, 5 data, 6 template, 7 output, 8 verification failed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the whole pipeline: analyses, charts, brief, manifest.
    Run {
        /// The spec file (TOML).
        spec: PathBuf,
        /// Output folder [default: outputs/<spec name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Folder of report templates replacing the built-in ones (same layout as report_templates/).
        #[arg(long)]
        templates: Option<PathBuf>,
        /// Output formats replacing the spec's `brief.formats`, comma-separated (md, typ, pdf,
        /// xlsx, docx, sdmx, opensdg).
        #[arg(long = "format", value_delimiter = ',', value_parser = parse_format)]
        formats: Vec<Format>,
    },
    /// Record the SHA-256 of every input the spec names in a lock file beside it.
    Lock { spec: PathBuf },
    /// Write a starter spec from survey files (a DHS member recode gets the dhs profile; other
    /// layouts get guessed design fields and a list of every column), and lock the files.
    Init {
        /// The wave's survey files: the main file (one row per person or household) first, then
        /// files to link to it.
        #[arg(required = true)]
        data: Vec<PathBuf>,
        /// The spec to write (must not exist); the data must be inside its folder.
        #[arg(long, default_value = "spec.toml")]
        out: PathBuf,
    },
    /// Check a spec (syntax, values, cross-references) without reading the data.
    Check { spec: PathBuf },
    /// Re-hash the inputs and outputs listed in a run's manifest.
    Verify {
        /// The output folder of a run.
        dir: PathBuf,
        /// Also run the spec again and require byte-identical outputs.
        #[arg(long)]
        rerun: bool,
        /// The manifest's published SHA-256 (printed by `run`): proves the folder is the brief
        /// released, not only that it is consistent with its own manifest.
        #[arg(long)]
        digest: Option<String>,
    },
    /// Write a deterministic synthetic survey (person level, SUSENAS-like).
    Synth {
        /// Output file; .parquet or .csv.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 4000)]
        households: usize,
        #[arg(long, default_value_t = 2030)]
        seed: u64,
        /// 0 = earlier wave, 1 = later wave (access improves, consumption grows).
        #[arg(long, default_value_t = 0)]
        wave: u32,
        /// `linked`: write, instead of one file, a core individual file, a household file (`;`
        /// and decimal comma, as an Indonesian-locale spreadsheet exports CSV) and a consumption
        /// module, named `<out>_individuals.csv`, `<out>_households.csv`, `<out>_consumption.csv`.
        #[arg(long, value_enum, default_value_t = SynthLayout::Flat)]
        layout: SynthLayout,
    },
    /// Re-render a brief from a saved results.json (no data needed).
    Render {
        results: PathBuf,
        /// Output folder [default: `<run folder>-rendered`, beside the run folder].
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        templates: Option<PathBuf>,
        /// Render in this language ("en" or "id") instead of the one the results were made for.
        #[arg(long)]
        language: Option<String>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(message) => {
            if !message.is_empty() {
                println!("{message}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

pub fn execute(command: Command) -> Result<String> {
    match command {
        Command::Run {
            spec,
            out,
            templates,
            formats,
        } => {
            let formats = (!formats.is_empty()).then_some(formats);
            let opts = pipeline::RunOptions {
                out,
                templates,
                formats,
            };
            run_command(&spec, &opts)
        }
        Command::Lock { spec } => {
            let loaded = spec::load(&spec)?;
            // A malformed old lock is replaced like a missing one; the lines then say "new".
            let before = inputs::read_lock(&loaded)
                .ok()
                .flatten()
                .unwrap_or_default();
            let (path, lock) = inputs::write_lock(&loaded)?;
            let lines: Vec<String> = lock
                .inputs
                .iter()
                .map(|(p, h)| format!("  {h}  {p}  ({})", lock_change(before.inputs.get(p), h)))
                .collect();
            Ok(format!("{} written:\n{}", path.display(), lines.join("\n")))
        }
        Command::Init { data, out } => crate::app::init::init(&data, &out),
        Command::Check { spec } => {
            let loaded = spec::load(&spec)?;
            let cautions = crate::present::claims::spec_cautions(&loaded.spec);
            Ok(format!(
                "{}: valid ({} wave(s), {} indicator(s), {} scenario(s)){}",
                spec.display(),
                loaded.spec.waves.len(),
                loaded.spec.indicators.len(),
                loaded.spec.scenarios.len(),
                warnings(&cautions)?
            ))
        }
        Command::Verify { dir, rerun, digest } => {
            let mut report = pipeline::verify(&dir, rerun)?;
            if let Some(digest) = digest {
                pipeline::check_digest(&dir, &digest)?;
                report.push_str("; manifest matches the published digest");
            }
            Ok(report)
        }
        Command::Synth {
            out,
            households,
            seed,
            wave,
            layout,
        } => synth_command(&out, households, seed, wave, layout),
        Command::Render {
            results,
            out,
            templates,
            language,
        } => {
            let out = out.unwrap_or_else(|| default_render_out(&results));
            pipeline::rerender_in(&results, &out, templates.as_deref(), language.as_deref())?;
            Ok(format!("brief re-rendered to {}", out.display()))
        }
    }
}

/// `run`: the brief, then what was read and the manifest's digest to publish.
fn run_command(spec: &Path, opts: &pipeline::RunOptions) -> Result<String> {
    let run = pipeline::run(spec, opts)?;
    let records: Vec<String> = run
        .records
        .iter()
        .map(|&n| group_thousands(n as f64))
        .collect();
    let digest = pipeline::manifest_digest(&run.out)?;
    let links: String = run
        .links
        .iter()
        .flat_map(|(wave, counts)| counts.iter().map(move |c| link_line(wave, c)))
        .collect();
    Ok(format!(
        "brief written to {}\n  records analysed per wave: {}; survey columns in memory: {:.1} MB\n{links}  \
         manifest sha256: {digest} (publish it; `verify --digest` checks a copy against it)",
        run.out.display(),
        records.join(", "),
        run.column_bytes as f64 / 1e6
    ) + &run_warnings(&run.out)?)
}

/// How an input's hash compares with the previous lock, so a re-lock never hides a changed wave.
fn lock_change(before: Option<&String>, now: &str) -> String {
    match before {
        None => "new: not in the previous lock".into(),
        Some(h) if h == now => "unchanged".into(),
        Some(h) => format!("CHANGED since the previous lock, which recorded {h}"),
    }
}

/// `outputs/demo/results.json` → `outputs/demo-rendered`: beside the run's folder, never inside it,
/// so the run folder still verifies against its own manifest.
fn default_render_out(results: &Path) -> PathBuf {
    let folder = results.parent().filter(|p| !p.as_os_str().is_empty());
    match folder.and_then(|f| Some((f.parent()?, f.file_name()?))) {
        Some((parent, name)) => parent.join(format!("{}-rendered", name.to_string_lossy())),
        None => PathBuf::from("rendered"),
    }
}

/// Generate a synthetic wave and write it as Parquet (zstd) or CSV, atomically.
/// "  wave 2024, household file: 2,000 records joined to 7,281 of 7,281 rows; 0 match no row".
fn link_line(wave: &str, c: &crate::survey::link::LinkCounts) -> String {
    let n = |x: u64| group_thousands(x as f64);
    format!(
        "  wave {wave}, {} file: {} record(s) joined to {} of {} row(s); {} record(s) match no row\n",
        c.role,
        n(c.records),
        n(c.matched_rows),
        n(c.matched_rows + c.unmatched_rows),
        n(c.orphan_records)
    )
}

fn synth_command(
    out: &Path,
    households: usize,
    seed: u64,
    wave: u32,
    layout: SynthLayout,
) -> Result<String> {
    let files = match layout {
        SynthLayout::Flat => {
            write_synth(out, households, seed, wave)?;
            vec![out.to_path_buf()]
        }
        SynthLayout::Linked => write_synth_linked(out, households, seed, wave)?,
    };
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    Ok(format!("synthetic survey written to {}", names.join(", ")))
}

/// How `synth` lays out the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SynthLayout {
    /// One file, one row per person, household columns repeated.
    Flat,
    /// Individual file, household file, consumption module and programmes module, linked by `hhid`.
    Linked,
}

/// Write the synthetic survey as linked CSV files beside `out` (see [`SynthLayout::Linked`]) and a
/// programmes module (`synth::programmes`); returns their paths.
pub fn write_synth_linked(
    out: &Path,
    households: usize,
    seed: u64,
    wave: u32,
) -> Result<Vec<PathBuf>> {
    if households == 0 {
        return Err(Error::output(out, "--households must be at least 1"));
    }
    let frame = synth::generate(&synth::SynthConfig {
        seed,
        households,
        wave,
    })
    .map_err(|e| Error::output(out, format!("generating the survey failed: {e}")))?;
    let files = synth::layout::split(&frame)
        .map_err(|e| Error::output(out, format!("splitting the survey failed: {e}")))?;
    // Existing programmes, from their own stream: the three files above do not change.
    let programmes = synth::programmes::module(&frame, seed, wave)
        .map_err(|e| Error::output(out, format!("drawing the programmes failed: {e}")))?;
    let stem = out.with_extension("");
    let path = |part: &str| PathBuf::from(format!("{}_{part}.csv", stem.display()));
    let parts = [
        (path("individuals"), files.individuals, false),
        (path("households"), files.households, true),
        (path("consumption"), files.consumption, false),
        (path("programmes"), programmes, false),
    ];
    for (p, mut df, locale) in parts.iter().cloned() {
        let mut bytes = Vec::new();
        let writer = CsvWriter::new(&mut bytes);
        let mut writer = if locale {
            writer.with_separator(b';').with_decimal_comma(true)
        } else {
            writer
        };
        writer
            .finish(&mut df)
            .map_err(|e| Error::output(&p, e.to_string()))?;
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e.to_string()))?;
        }
        crate::io::inputs::write_atomically(&p, &bytes)?;
    }
    Ok(parts.into_iter().map(|(p, _, _)| p).collect())
}

pub fn write_synth(out: &Path, households: usize, seed: u64, wave: u32) -> Result<()> {
    if households == 0 {
        return Err(Error::output(out, "--households must be at least 1"));
    }
    let mut df = synth::generate(&synth::SynthConfig {
        seed,
        households,
        wave,
    })
    .map_err(|e| Error::output(out, format!("generating the survey failed: {e}")))?;
    let mut bytes = Vec::new();
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "parquet" => {
            ParquetWriter::new(&mut bytes)
                .with_compression(ParquetCompression::Zstd(None))
                .finish(&mut df)
                .map_err(|e| Error::output(out, e.to_string()))?;
        }
        "csv" => {
            CsvWriter::new(&mut bytes)
                .finish(&mut df)
                .map_err(|e| Error::output(out, e.to_string()))?;
        }
        _ => return Err(Error::output(out, "expected a .parquet or .csv file name")),
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e.to_string()))?;
    }
    crate::io::inputs::write_atomically(out, &bytes)
}

/// One `--format` value, by the names `brief.formats` takes.
fn parse_format(name: &str) -> std::result::Result<Format, String> {
    Format::try_from(name.to_string())
        .map_err(|e| e.replace("brief.formats: unknown format", "unknown format"))
}

/// Circumstances that can mislead, one `warning:` line each (in English, as the CLI speaks).
fn warnings(cautions: &[crate::present::claims::Caution]) -> Result<String> {
    let strings = crate::present::render::builtin_strings("en")?;
    let words = crate::present::words::Words::new(&strings);
    cautions
        .iter()
        .map(|c| Ok(format!("\nwarning: {}", words.caution(c)?)))
        .collect()
}

/// The warnings of a finished run, from its results.json (the latest wave's indicators).
fn run_warnings(out: &Path) -> Result<String> {
    let path = out.join("results.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::output(&path, e.to_string()))?;
    let results: crate::results::Results =
        serde_json::from_str(&text).map_err(|e| Error::output(&path, e.to_string()))?;
    let latest = results.waves.last().map_or(&[][..], |w| &w.indicators[..]);
    warnings(&crate::present::claims::cautions(latest))
}
