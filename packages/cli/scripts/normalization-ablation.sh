#!/bin/sh
# The normalization ablation of docs/RESULTS.md (paper Table 4's question): ring8 with forward-KL,
# each of the two normalization stages off, then both, on seeds 0-2. The preset's own runs (both
# stages on) come from `fdistill compare --preset ring8 --seeds 5`. Finished runs are kept, so the
# script can be run again after an interruption. Usage (repository root, after pnpm build):
#   sh packages/cli/scripts/normalization-ablation.sh [OUT]   (default runs/ablation-ring8)
set -eu
out="${1:-runs/ablation-ring8}"
configs="$(mktemp -d)"
trap 'rm -rf "$configs"' EXIT
echo '{"divergence": "forward-kl", "ratioNormalization": false}' > "$configs/no-ratio-normalization.json"
echo '{"divergence": "forward-kl", "weightNormalization": false}' > "$configs/no-weight-normalization.json"
echo '{"divergence": "forward-kl", "ratioNormalization": false, "weightNormalization": false}' > "$configs/no-normalization.json"
for variant in no-ratio-normalization no-weight-normalization no-normalization; do
  for seed in 0 1 2; do
    run="$out/$variant-seed$seed"
    if [ -f "$run/summary.json" ]; then continue; fi
    rm -rf "$run"
    node packages/cli/dist/main.js distill --config "$configs/$variant.json" --seed "$seed" --out "$run"
  done
done
