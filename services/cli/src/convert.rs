//! `rapporteur convert`: every input is read, parsed, rendered and written
//! independently, in parallel; one bad input never stops the others.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rapporteur_inputs::{Input, Limits};
use rapporteur_parse::ParseOptions;
use rapporteur_pipeline::Converter;
use rapporteur_render::{Format, RenderOptions};
use rapporteur_storage::{OutputKey, Storage};
use rayon::prelude::*;

use crate::ConvertArgs;

/// How a run went.
pub(crate) struct Tally {
    pub converted: usize,
    pub failed: usize,
}

/// Runs a conversion; `Err` only for problems with the run itself (output
/// directory unusable), never for a bad input.
pub(crate) fn run(args: &ConvertArgs) -> anyhow::Result<Tally> {
    let started = Instant::now();
    let storage = Storage::open(&args.out)
        .with_context(|| format!("cannot use {} as the output directory", args.out.display()))?;
    let limits = Limits {
        max_document_bytes: args.max_input_bytes as u64,
        ..Limits::default()
    };
    let converter = Converter {
        parse: ParseOptions {
            max_bytes: args.max_input_bytes,
        },
        render: RenderOptions {
            page_size: args.page_size,
            font_dir: args.font_dir.clone(),
        },
    };
    let mut formats = args.formats.clone();
    formats.sort();
    formats.dedup();

    let discovered = rapporteur_inputs::discover(&args.inputs, &limits);
    let total = discovered.len();
    let progress = ProgressBar::new(discovered.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
            .expect("valid template"),
    );
    let report = |message: String| {
        let message = rapporteur_untrusted::for_terminal(&message);
        progress.suspend(|| eprintln!("rapporteur: {message}"))
    };
    let mut jobs = Vec::new();
    let mut failed = 0;
    let mut keys: HashMap<String, String> = HashMap::new();
    for found in discovered {
        let claimed = found.map_err(|e| e.to_string()).and_then(|input| {
            match keys.insert(input.key.clone(), input.name.clone()) {
                Some(first) => Err(format!(
                    "{}: its outputs would overwrite those of {first} (both are named '{}'); convert them into different --out directories",
                    input.name, input.key
                )),
                None => Ok(input),
            }
        });
        match claimed {
            Ok(input) => jobs.push(input),
            Err(message) => {
                report(message);
                progress.inc(1);
                failed += 1;
            }
        }
    }

    let written = AtomicUsize::new(0);
    let convert_all = || {
        jobs.par_iter()
            .map(|input| {
                let result = convert_one(input, &formats, &storage, &limits, &converter);
                progress.inc(1);
                match result {
                    Ok(files) => {
                        written.fetch_add(files, Ordering::Relaxed);
                        true
                    }
                    Err(message) => {
                        report(message);
                        false
                    }
                }
            })
            .filter(|ok| !ok)
            .count()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()?;
    failed += pool.install(convert_all);
    progress.finish_and_clear();

    let tally = Tally {
        converted: total - failed,
        failed,
    };
    eprintln!(
        "rapporteur: converted {} of {total} inputs, {} rejected; wrote {} files to {} in {:.2} s",
        tally.converted,
        tally.failed,
        written.load(Ordering::Relaxed),
        storage.root().display(),
        started.elapsed().as_secs_f64()
    );
    Ok(tally)
}

/// Converts one input to every format; returns the number of files written,
/// or the message that explains why the input was rejected.
fn convert_one(
    input: &Input,
    formats: &[Format],
    storage: &Storage,
    limits: &Limits,
    converter: &Converter,
) -> Result<usize, String> {
    let bytes = input.read(limits).map_err(|e| e.to_string())?;
    let key = OutputKey::new(&input.key).map_err(|e| format!("{}: {e}", input.name))?;
    let written = converter
        .convert(&input.name, &bytes, formats, &key, storage)
        .map_err(|e| e.message)?;
    Ok(written.len())
}
