//! Which part of a cohort a run is: `--shard I/N` or the batch system's array index, its
//! patient range, and the files it writes.

use super::*;

/// `I/N` into a patient range of `total`.
pub(super) fn shard_range(
    shard: Option<(u64, u64)>,
    total: u64,
) -> anyhow::Result<std::ops::Range<u64>> {
    let Some((i, n)) = shard else {
        return Ok(0..total);
    };
    if n > total {
        return Err(usage(format!(
            "--shard '{i}/{n}': {n} shards of {total} patients leave some empty; use at most \
             {total}"
        )));
    }
    // In 128 bits: i * total overflows 64 bits near the top of --n's range.
    let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(n)) as u64;
    Ok(at(i)..at(i + 1))
}

pub(super) fn parse_shard(text: &str) -> anyhow::Result<(u64, u64)> {
    let bad = || usage(format!("--shard '{text}': expected I/N with 0 <= I < N"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// The batch systems' array index variables, read when `--shard` is absent: Slurm job arrays
/// (the index from `SLURM_ARRAY_TASK_MIN`, the count from `SLURM_ARRAY_TASK_COUNT` unless
/// `--shards` says) and Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`; the count from
/// `--shards`).
pub const SLURM_INDEX: &str = "SLURM_ARRAY_TASK_ID";
pub const SLURM_MIN: &str = "SLURM_ARRAY_TASK_MIN";
pub const SLURM_COUNT: &str = "SLURM_ARRAY_TASK_COUNT";
pub const KUBERNETES_INDEX: &str = "JOB_COMPLETION_INDEX";

/// The shard to run: `--shard I/N`, else the batch environment's index, else the whole cohort.
pub(super) fn which_shard(
    shard: Option<&str>,
    shards: Option<u64>,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<(u64, u64)>> {
    if let Some(text) = shard {
        return parse_shard(text).map(Some);
    }
    let number = |name: &str| -> anyhow::Result<Option<u64>> {
        env(name)
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| usage(format!("{name}='{v}': expected a whole number")))
            })
            .transpose()
    };
    let (index, count, from) = if let Some(id) = number(SLURM_INDEX)? {
        let min = number(SLURM_MIN)?.unwrap_or(0);
        let count = match (shards, number(SLURM_COUNT)?) {
            (Some(n), Some(c)) if n != c => {
                return Err(usage(format!(
                    "--shards {n} and {SLURM_COUNT}={c} disagree: the array would not cover \
                     the cohort"
                )));
            }
            (Some(n), _) | (None, Some(n)) => n,
            (None, None) => {
                return Err(usage(format!(
                    "{SLURM_INDEX} is set but not {SLURM_COUNT}: pass --shards N"
                )));
            }
        };
        let index = id
            .checked_sub(min)
            .ok_or_else(|| usage(format!("{SLURM_INDEX}={id} is below {SLURM_MIN}={min}")))?;
        (index, count, format!("{SLURM_INDEX}={id} (from {min})"))
    } else if let Some(index) = number(KUBERNETES_INDEX)? {
        let count = shards.ok_or_else(|| {
            usage(format!(
                "{KUBERNETES_INDEX} is set: pass --shards N (the Job's completions)"
            ))
        })?;
        (index, count, format!("{KUBERNETES_INDEX}={index}"))
    } else if let Some(n) = shards {
        return Err(usage(format!(
            "--shards {n}: needs --shard I/N or a batch index ({SLURM_INDEX}, {KUBERNETES_INDEX})"
        )));
    } else {
        return Ok(None);
    };
    if count == 0 || index >= count {
        return Err(usage(format!(
            "{from} makes shard {index} of {count}: expected 0 <= index < count"
        )));
    }
    Ok(Some((index, count)))
}

/// The three files of a cohort or one of its shards: `patients.csv`, `summary.csv` and
/// `cohort.json`, or `patients.shard-I-of-N.csv` ... for shard I of N.
pub(super) fn file_names(shard: Option<(u64, u64)>) -> [String; 3] {
    let tag = match shard {
        None => String::new(),
        Some((i, n)) => {
            let width = n.to_string().len();
            format!(".shard-{i:0width$}-of-{n}")
        }
    };
    [
        format!("patients{tag}.csv"),
        format!("summary{tag}.csv"),
        format!("cohort{tag}.json"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_index_names_the_shard() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(which_shard(None, None, env(&[])).unwrap(), None);
        assert_eq!(
            which_shard(Some("1/4"), None, env(&[(SLURM_INDEX, "3")])).unwrap(),
            Some((1, 4))
        );
        // Slurm arrays may start at 1: the index counts from the array's first task.
        let slurm = env(&[(SLURM_INDEX, "4"), (SLURM_MIN, "1"), (SLURM_COUNT, "8")]);
        assert_eq!(which_shard(None, None, slurm).unwrap(), Some((3, 8)));
        let k8s = env(&[(KUBERNETES_INDEX, "2")]);
        assert_eq!(which_shard(None, Some(5), k8s).unwrap(), Some((2, 5)));
        assert!(which_shard(None, None, env(&[(KUBERNETES_INDEX, "2")])).is_err());
        assert!(which_shard(None, Some(3), env(&[(KUBERNETES_INDEX, "3")])).is_err());
        assert!(which_shard(None, Some(3), env(&[])).is_err());
        // An index past the count names the variable it came from, not --shard.
        let past = env(&[(SLURM_INDEX, "3"), (SLURM_COUNT, "2")]);
        let e = which_shard(None, None, past).unwrap_err().to_string();
        assert!(e.contains(SLURM_INDEX) && e.contains("shard 3 of 2"), "{e}");
        let disagree = env(&[(SLURM_INDEX, "0"), (SLURM_COUNT, "2")]);
        assert!(which_shard(None, Some(3), disagree).is_err());
        assert!(which_shard(None, None, env(&[(SLURM_INDEX, "x"), (SLURM_COUNT, "2")])).is_err());
        assert_eq!(file_names(Some((3, 16)))[0], "patients.shard-03-of-16.csv");
        assert_eq!(file_names(None)[1], "summary.csv");
    }
}
