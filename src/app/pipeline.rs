//! The whole run: spec → checksummed inputs → surveys → LNOB and SPOT → results → charts and
//! brief → manifest. Outputs are built in a temporary folder beside the target and moved into place
//! only when complete, so a failed run leaves the previous brief untouched.

use std::path::{Path, PathBuf};

use super::run_manifest::{reproduce_line, write_manifest, write_manifest_file};
use crate::analysis::{lnob, spot};
use crate::error::{Error, Result};
use crate::io::inputs;
use crate::present::charts;
use crate::present::render::{self, TemplateSource};
use crate::publish::manifest;
use crate::publish::{check_target, publish, Protected};
use crate::results::{InputRecord, LinkResult, Results, WaveResults};
use crate::spec::{self, Format, LoadedSpec, SchemeKind, TemplateSet};
use crate::survey::{self, Survey};

pub use super::verify::{check_digest, manifest_digest, verify};

pub use crate::publish::manifest::{TOOL, VERSION};

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub out: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    /// Output formats replacing the spec's `brief.formats` (`--format`); results.json records
    /// the formats used, so `verify --rerun` writes the same ones.
    pub formats: Option<Vec<Format>>,
}

/// Load every wave (checksums verified) and prepare its survey, checking every reference the
/// analyses will make before any of them starts.
pub fn load_surveys(spec: &LoadedSpec) -> Result<Vec<Survey>> {
    let lock = inputs::read_lock(spec)?;
    let mut surveys = Vec::new();
    for wave in &spec.spec.waves {
        let mut files = spec::sources_reading(&spec.spec, wave)
            .iter()
            .map(|source| inputs::load_file(spec, lock.as_ref(), &wave.id, source))
            .collect::<Result<Vec<_>>>()?;
        let main = files.remove(0);
        let mut s = survey::prepare(&spec.spec, wave, main, files)?;
        check_references(&spec.spec, &s)?;
        // Hold only what the analyses read: a survey file often has hundreds of columns the spec
        // never names (a DHS recode has thousands).
        let used = spec::used_after_prepare(&spec.spec, &s.wave);
        let keep: Vec<String> = s
            .frame
            .get_column_names()
            .iter()
            .filter(|c| c.starts_with("__") || used.contains(c.as_str()))
            .map(|c| c.to_string())
            .collect();
        s.frame = s
            .frame
            .select(keep)
            .map_err(|e| Error::data(s.context(), e.to_string()))?;
        surveys.push(s);
    }
    // Waves in time order, so "latest" is the last.
    surveys.sort_by_key(|s| s.wave.year);
    Ok(surveys)
}

pub fn check_references(spec: &spec::Spec, s: &Survey) -> Result<()> {
    let expr = |field: &str, text: &str| -> Result<()> {
        let e = spec::parse_expr(field, text).map_err(|m| Error::data(s.context(), m))?;
        s.check_expr(field, &e)
    };
    for c in &spec.circumstances {
        if s.frame.schema().get(c.column.as_str()).is_none() {
            return Err(Error::data(
                s.context(),
                format!(
                    "circumstance '{}'.column: column `{}` is not in the data (nor a derived variable)",
                    c.id, c.column
                ),
            ));
        }
    }
    for ind in &spec.indicators {
        if let Some(p) = &ind.population {
            expr(&format!("indicator '{}'.population", ind.id), p)?;
        }
        expr(&format!("indicator '{}'.outcome", ind.id), &ind.outcome)?;
    }
    for sc in &spec.scenarios {
        for (k, scheme) in sc.schemes.iter().enumerate() {
            let at = format!("scenario '{}'.scheme[{k}]", sc.id);
            if let Some(e) = &scheme.eligible {
                expr(&format!("{at}.eligible"), e)?;
            }
            if let Some(e) = &scheme.exclude {
                expr(&format!("{at}.exclude"), e)?;
            }
            if scheme.kind == SchemeKind::Disability {
                let col = scheme.column.as_deref().unwrap_or("disability");
                if s.frame.schema().get(col).is_none() {
                    return Err(Error::data(
                        s.context(),
                        format!("{at}.column: disability column `{col}` is not in the data"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn link_result(c: &survey::link::LinkCounts) -> LinkResult {
    LinkResult {
        role: c.role.clone(),
        records: c.records,
        matched_rows: c.matched_rows,
        unmatched_rows: c.unmatched_rows,
        orphan_records: c.orphan_records,
        columns: c.columns.clone(),
    }
}

/// Run both analyses on loaded surveys.
pub fn analyse(spec: &LoadedSpec, surveys: &[Survey]) -> Result<Results> {
    let mut waves: Vec<WaveResults> = Vec::new();
    let mut input_records = Vec::new();
    // The furthest-behind groups of the latest wave, followed through the scenarios.
    let mut latest_groups = Vec::new();
    // The first wave's bootstrap replicates, for the SEs of the latest wave's HOI change.
    let mut first_replicates = lnob::Replicated::default();
    for (i, s) in surveys.iter().enumerate() {
        // The latest of several waves tests the first wave's furthest-behind groups.
        let first_wave = match waves.first() {
            Some(first) if i + 1 == surveys.len() => first.indicators.as_slice(),
            _ => &[],
        };
        let wave = lnob::analyse_wave_with_groups(&spec.spec, s, first_wave, &first_replicates)?;
        if i == 0 {
            first_replicates = wave.replicates;
        }
        latest_groups = wave.groups;
        waves.push(wave_results(s, wave.indicators)?);
        input_records.extend(s.files.iter().map(|f| InputRecord {
            wave: s.wave.id.clone(),
            role: (f.role != "main").then(|| f.role.clone()),
            path: f.path.display().to_string(),
            sha256: f.sha256.clone(),
            bytes: f.bytes,
        }));
    }
    let latest = surveys.last().expect("at least one wave");
    let (spot_spec, population) = spot::with_population_csv(spec)?;
    input_records.extend(population);
    let spot = if spec.spec.scenarios.is_empty() {
        None
    } else {
        Some(spot::simulate_wave_for(&spot_spec, latest, &latest_groups)?)
    };
    let baselines = baselines(spec, surveys, spot.as_ref())?;
    let summary = summary(&waves, spot.as_ref(), &baselines);
    Ok(Results {
        schema_version: crate::results::SCHEMA_VERSION,
        summary,
        uncertainty: spec.spec.uncertainty.clone(),
        sdg_export: spec::sdmx::resolve(&spec.spec).map_err(|m| Error::spec(&spec.path, m))?,
        tool: TOOL.into(),
        version: VERSION.into(),
        spec_name: spec.name(),
        brief: spec.spec.brief.clone(),
        macro_figures: spec.spec.macro_figures.clone(),
        inputs: input_records,
        waves,
        spot,
    })
}

/// A wave's results: its LNOB indicators with the counts and design the methods text cites.
fn wave_results(
    s: &Survey,
    indicators: Vec<crate::results::lnob::IndicatorResult>,
) -> Result<WaveResults> {
    let households = s
        .frame
        .column(&s.wave.household_id)
        .and_then(|c| c.n_unique())
        .map_err(|e| Error::data(s.context(), e.to_string()))? as u64;
    let weights = s.f64_column(survey::HH_WEIGHT)?;
    let weights: Vec<f64> = weights.iter().map(|w| w.unwrap_or(0.0)).collect();
    Ok(WaveResults {
        id: s.wave.id.clone(),
        year: s.wave.year,
        records: s.records() as u64,
        households,
        design: s.design.summary(&weights),
        links: s.links.iter().map(link_result).collect(),
        indicators,
    })
}

/// Poverty and welfare before transfers in every wave (id, year, distribution), for the change
/// between waves; none without a social-protection section. The latest wave's baseline comes
/// from the simulation, not a second pass.
fn baselines(
    spec: &LoadedSpec,
    surveys: &[Survey],
    spot: Option<&crate::results::spot::SpotResult>,
) -> Result<Vec<(String, i32, crate::estimate::measures::Distribution)>> {
    let Some(sim) = spot else {
        return Ok(Vec::new());
    };
    let earlier = &surveys[..surveys.len() - 1];
    let mut out = earlier
        .iter()
        .map(|s| {
            let base = spot::baseline(&spec.spec, s)?;
            Ok((s.wave.id.clone(), s.wave.year, base))
        })
        .collect::<Result<Vec<_>>>()?;
    out.push((sim.wave.clone(), sim.year, sim.baseline.clone()));
    Ok(out)
}

/// The cross-cutting summary, with the poverty headcount and the welfare means of every wave.
fn summary(
    waves: &[WaveResults],
    spot: Option<&crate::results::spot::SpotResult>,
    baselines: &[(String, i32, crate::estimate::measures::Distribution)],
) -> crate::results::Summary {
    let poverty_by_wave = baselines
        .iter()
        .map(|(wave, _, base)| crate::results::WaveRate {
            wave: wave.clone(),
            rate: base.poverty[0].headcount,
            se: base.poverty[0].headcount_se,
        })
        .collect();
    let welfare_by_wave = baselines
        .iter()
        .map(|(wave, year, base)| crate::results::WaveWelfare::of(wave, *year, base))
        .collect();
    crate::results::Summary::build(waves, spot, poverty_by_wave, welfare_by_wave)
}

/// The default output folder: `outputs/<spec name>/`.
pub fn default_out(spec: &LoadedSpec) -> PathBuf {
    PathBuf::from("outputs").join(spec.name())
}

/// What a run did, for the command line: where the brief went and the size of the data analysed.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub out: PathBuf,
    /// Records per wave.
    pub records: Vec<usize>,
    /// In-memory size (bytes) of every survey column held during the analyses, all waves.
    pub column_bytes: usize,
    /// Per wave with linked files: the wave id and what each join did.
    pub links: Vec<(String, Vec<survey::link::LinkCounts>)>,
}

/// `vnr-brief run`: the whole pipeline.
pub fn run(spec_path: &Path, opts: &RunOptions) -> Result<RunSummary> {
    let mut spec = spec::load(spec_path)?;
    if let Some(formats) = &opts.formats {
        spec.spec.brief.formats = formats.clone();
    }
    let out = opts.out.clone().unwrap_or_else(|| default_out(&spec));
    // The flag wins over the spec's `brief.templates`, which is relative to the spec.
    let spec_templates = spec.spec.brief.templates.as_ref().map(|t| spec.resolve(t));
    if let Some(dir) = &spec_templates {
        // Named by the spec, so inside its folder, links resolved (`--templates` may be anywhere).
        inputs::inside(dir, spec.dir())
            .map_err(|e| Error::spec(&spec.path, format!("brief.templates: {e}")))?;
    }
    let source = match opts.templates.as_ref().or(spec_templates.as_ref()) {
        Some(dir) => TemplateSource::Folder(dir),
        None => TemplateSource::Default,
    };
    // Everything that can fail fast does, before the analyses: templates, the output folder.
    let templates =
        render::load_templates(&source, &TemplateSet::needed_by(&spec.spec.brief.formats))?;
    let template_dir = opts.templates.as_deref().or(spec_templates.as_deref());
    check_target(&out, &protected_paths(&spec, template_dir))?;
    let surveys = load_surveys(&spec)?;
    let results = analyse(&spec, &surveys)?;
    publish(&out, |tmp| {
        write_outputs(tmp, &results, &templates, &spec.spec.brief.formats)?;
        let format_flag = opts.formats.as_deref();
        write_manifest(
            tmp,
            &out,
            &spec,
            &results,
            &templates,
            template_dir,
            format_flag,
        )
    })?;
    Ok(RunSummary {
        out,
        records: surveys.iter().map(Survey::records).collect(),
        column_bytes: surveys.iter().map(|s| s.frame.estimated_size()).sum(),
        links: surveys
            .iter()
            .filter(|s| !s.links.is_empty())
            .map(|s| (s.wave.id.clone(), s.links.clone()))
            .collect(),
    })
}

/// Re-render a brief from a saved `results.json` (no data needed).
pub fn rerender(results_json: &Path, out: &Path, templates_dir: Option<&Path>) -> Result<()> {
    rerender_in(results_json, out, templates_dir, None)
}

/// Re-render a brief from a saved `results.json`, optionally in another language: the results
/// hold no words, so the brief equals the one `run` writes with that `brief.language`.
pub fn rerender_in(
    results_json: &Path,
    out: &Path,
    templates_dir: Option<&Path>,
    language: Option<&str>,
) -> Result<()> {
    let text = std::fs::read_to_string(results_json)
        .map_err(|e| Error::input(results_json, format!("cannot read: {e}")))?;
    let mut results = Results::from_json(&text).map_err(|m| Error::input(results_json, m))?;
    if let Some(language) = language {
        if !spec::LANGUAGES.contains(&language) {
            return Err(Error::input(
                results_json,
                format!(
                    "--language: expected one of {:?}, found \"{language}\"",
                    spec::LANGUAGES
                ),
            ));
        }
        results.brief.language = language.to_string();
    }
    let source = match templates_dir {
        Some(dir) => TemplateSource::Folder(dir),
        None => TemplateSource::Default,
    };
    let formats = results.brief.formats.clone();
    let templates = render::load_templates(&source, &TemplateSet::needed_by(&formats))?;
    let mut protected = vec![Protected::new("the results file read", results_json)];
    if let Some(dir) = templates_dir {
        protected.push(Protected::new("the template folder", dir));
    }
    check_target(out, &protected)?;
    publish(out, |tmp| {
        write_outputs(tmp, &results, &templates, &formats)?;
        let mut args = vec![manifest::relative_path(results_json, out)?];
        if let Some(dir) = templates_dir {
            args.extend(["--templates".into(), manifest::relative_path(dir, out)?]);
        }
        if let Some(language) = language {
            args.extend(["--language".into(), language.to_string()]);
        }
        let reproduce = reproduce_line("render", &args);
        write_manifest_file(tmp, out, reproduce, None, None, Vec::new(), &templates)
    })
}

/// What `run` reads or stands in: an output folder must never equal or contain one of them.
fn protected_paths(spec: &LoadedSpec, templates: Option<&Path>) -> Vec<Protected> {
    let mut paths = vec![
        Protected::new("the spec", &spec.path),
        Protected::new("the spec's lock file", inputs::lock_path(spec)),
    ];
    for w in &spec.spec.waves {
        for source in w.sources() {
            let what = match source.role.as_str() {
                "main" => format!("the input of wave '{}'", w.id),
                role => format!("the '{role}' file of wave '{}'", w.id),
            };
            paths.push(Protected::new(what, spec.resolve(&source.path)));
        }
    }
    if let Some(source) = spec.spec.projection.population_source() {
        let path = spec.resolve(&source.path);
        paths.push(Protected::new("the projection's population file", path));
    }
    if let Some(dir) = templates {
        paths.push(Protected::new("the template folder", dir));
    }
    paths
}

pub(super) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::output(dir, format!("cannot create: {e}")))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::output(path, format!("cannot write: {e}")))
}

fn write_outputs(
    dir: &Path,
    results: &Results,
    templates: &render::Templates,
    formats: &[Format],
) -> Result<()> {
    write_file(&dir.join("results.json"), results.to_json().as_bytes())?;
    // Everything a person reads names things as `brief.labels` does in the brief's language.
    let localised = crate::present::localise::localise(results, &results.brief.language)?;
    let results = &localised;
    let strings = templates.strings(&results.brief.language)?;
    let charts = charts::draw_all(results, &strings, &dir.join("charts"))?;
    // The annex tables are written before the brief, which lists them with their checksums.
    let mut tables = Vec::new();
    let words = crate::present::words::Words::new(&strings);
    let built = crate::present::tables::build(results, &words)?;
    for table in &built {
        let csv = table.to_csv(results.brief.annex_csv)?;
        write_file(&dir.join("tables").join(table.file), &csv)?;
        tables.push(crate::present::tables::TableFile {
            path: format!("tables/{}", table.file),
            key: table.key().to_string(),
            rows: table.rows().len(),
            sha256: inputs::sha256_hex(&csv),
        });
    }
    if formats.contains(&Format::Xlsx) {
        let book = crate::present::xlsx::workbook(results, &strings, &built, &tables)?;
        write_file(&dir.join(crate::present::xlsx::FILE), &book)?;
    }
    // The SDG platforms' files (SDMX-CSV, Open SDG), from the results alone.
    for (path, bytes) in crate::present::sdg::files(results, formats)? {
        write_file(&dir.join(path), &bytes)?;
    }
    let sets = TemplateSet::needed_by(formats);
    let rendered = render::render(results, &charts, &tables, templates, &sets)?;
    for (set, text) in rendered {
        let name = format!("brief.{}", set.name());
        if set == TemplateSet::Typ && formats.contains(&Format::Pdf) {
            // Compiled in the output folder, so the brief finds its charts by relative path.
            let pdf =
                crate::present::pdf::compile(dir, &name, &text, &results.brief.reference_date)?;
            write_file(&dir.join("brief.pdf"), &pdf)?;
        }
        if set == TemplateSet::Md && formats.contains(&Format::Docx) {
            // From the Markdown text (written to brief.md or not), the charts' PNGs beside it.
            let r = &results.brief;
            let docx = crate::present::docx::build(dir, &text, &r.language, &r.reference_date)?;
            write_file(&dir.join(crate::present::docx::FILE), &docx)?;
        }
        if formats.iter().any(|f| f.name() == set.name()) {
            write_file(&dir.join(name), text.as_bytes())?;
        }
    }
    Ok(())
}
