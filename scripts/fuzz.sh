#!/usr/bin/env bash
# Fuzzes specsearch-core with cargo fuzz (libFuzzer, nightly Rust) and prints,
# per target, the executions, the time, the rate, the crashes and the corpus.
#
#   scripts/fuzz.sh [--seconds N | --runs N] [--jobs J]
#                   [--sanitizer address|none] [--build-only] [TARGET...]
#
# Targets (rust/core/fuzz/fuzz_targets): spec_parse, segment_open,
# query_search, query_parse (all four when none is named). Each runs for N
# seconds (default 60) or N executions, one after another, on one core
# (--jobs J: J processes at once on the target's shared corpus, each for N
# seconds or N/J executions; the row sums their executions and crashes),
# optimised with debug assertions and overflow checks on, under
# AddressSanitizer unless `--sanitizer none` (faster: panics, overflows,
# timeouts and the RSS limit are still caught; the malloc limit needs the
# sanitizer). Corpora: rust/core/fuzz/corpus/TARGET, seeded from
# examples/specs and rust/core/fuzz/seeds, and growing from run to run. A
# crashing input is written to rust/core/fuzz/artifacts/TARGET/; replay it
# with `cargo +nightly fuzz run TARGET FILE` from rust/core. Logs:
# target/fuzz/TARGET.log (TARGET.J.log per job). Exits 1 when a target
# crashed or did not run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

limit=-max_total_time=60
jobs=1
sanitizer=address
build_only=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) limit="-max_total_time=$2"; shift 2 ;;
        --runs) limit="-runs=$2"; shift 2 ;;
        --sanitizer) sanitizer=$2; shift 2 ;;
        --build-only) build_only=1; shift ;;
        --jobs) jobs=$2; shift 2 ;;
        -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ "${#targets[@]}" -gt 0 ] || targets=(spec_parse segment_open query_search query_parse)

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi

fuzz=$root/rust/core/fuzz
logs=$root/target/fuzz
mkdir -p "$logs"
# One target folder per sanitizer, so that switching does not rebuild.
target_dir=$fuzz/target
[ "$sanitizer" = none ] || target_dir=$fuzz/target/$sanitizer
start=$SECONDS
for t in "${targets[@]}"; do
    (cd rust/core && cargo +nightly fuzz build -O --debug-assertions \
        --sanitizer "$sanitizer" --target-dir "$target_dir" "$t") >"$logs/build.log" 2>&1 \
        || { tail -30 "$logs/build.log"; echo "fuzz.sh: build of $t failed" >&2; exit 1; }
done
echo "built ${targets[*]} (sanitizer $sanitizer) in $((SECONDS - start)) s"
[ "$build_only" -eq 0 ] || exit 0

# Seeds: the example specs for the spec parser, the queries of
# rust/core/fuzz/seeds/queries.txt for the query targets (query_search reads
# its first byte as options: "j" is k = 10, lenient, "z" the same, strict).
# segment_open writes its own seeds, real segments, when it starts.
mkdir -p "$fuzz"/corpus/{spec_parse,segment_open,query_search,query_parse}
find examples/specs -name '*.md' -exec cp -n {} "$fuzz/corpus/spec_parse/" \;
n=0
while IFS= read -r q; do
    n=$((n + 1))
    printf '%s' "$q" >"$fuzz/corpus/query_parse/seed-$n"
    printf 'j%s' "$q" >"$fuzz/corpus/query_search/seed-$n"
    printf 'z%s' "$q" >"$fuzz/corpus/query_search/seed-strict-$n"
done <"$fuzz/seeds/queries.txt"

bin=$target_dir/x86_64-unknown-linux-gnu/release
failed=0
rows=()
for t in "${targets[@]}"; do
    mkdir -p "$fuzz/artifacts/$t"
    opts=()
    case "$t" in
        spec_parse) opts=("-dict=dicts/spec.dict" -max_len=4096) ;;
        segment_open) opts=(-max_len=65536) ;;
        query_*) opts=("-dict=dicts/query.dict" -max_len=1024) ;;
    esac
    before=$(find "$fuzz/artifacts/$t" -type f | wc -l)
    each=$limit
    case "$limit" in -runs=*) each="-runs=$(( ${limit#-runs=} / jobs ))" ;; esac
    echo "fuzzing $t ($limit, $jobs job(s)) ..."
    t0=$SECONDS
    rc=0
    pids=()
    logs_of=()
    for j in $(seq 1 "$jobs"); do
        log=$logs/$t.log
        [ "$jobs" -eq 1 ] || log=$logs/$t.$j.log
        logs_of+=("$log")
        (cd "$fuzz" && exec "$bin/$t" "corpus/$t" "$each" "${opts[@]}" \
            -artifact_prefix="artifacts/$t/" -print_final_stats=1 \
            -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024) >"$log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || rc=$?
    done
    secs=$((SECONDS - t0))
    runs=0 rss=0
    for log in "${logs_of[@]}"; do
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        r=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
        if [ -z "$n" ]; then runs=""; break; fi
        runs=$((runs + n))
        [ "${r:-0}" -le "$rss" ] || rss=$r
    done
    rate=?
    [ -z "$runs" ] || rate=$((runs / (secs > 0 ? secs : 1)))
    crashes=$(($(find "$fuzz/artifacts/$t" -type f | wc -l) - before))
    corpus=$(find "$fuzz/corpus/$t" -type f | wc -l)
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes=1   # failed without writing an input: see the log
    fi
    if [ "$rc" -ne 0 ] || [ -z "$runs" ]; then
        failed=1
        grep -hE 'ERROR|panicked|SUMMARY|Test unit written|^thread' "${logs_of[@]}" | head -20 || true
    fi
    rows+=("$(printf '%-13s %-9s %12s %7s %8s %8s %7s %7s' "$t" "$sanitizer" \
        "${runs:-?}" "$secs" "${rate:-?}" "$crashes" "$corpus" "${rss:-?}")")
done

printf '\n%-13s %-9s %12s %7s %8s %8s %7s %7s\n' target sanitizer executions seconds 'exec/s' \
    crashes corpus 'rss MB'
printf '%s\n' "${rows[@]}"
exit "$failed"
