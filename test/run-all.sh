#!/usr/bin/env bash
# `npm test`: static checks, then every jest tier (unit, terraform, consumer, dataplane, instance, apply).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "system packages"
bash test/ensure-tools.sh
step "type check (tsc --noEmit)"
npx tsc --noEmit -p .
step "lint (eslint)"
npx eslint --max-warnings 0 .
step "shellcheck"
mapfile -t scripts < <(git ls-files '*.sh' 2>/dev/null || find . -name '*.sh' -not -path './node_modules/*')
shellcheck -x "${scripts[@]}"
step "generated files are current"
npm run -s schema -- --check
npm run -s modules -- --check
TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 terraform fmt -check -recursive modules examples
step "instance root (built once per machine, cached under /var/cache/cdktf-egress)"
bash test/instance/support/build-root.sh >/dev/null
step "AWS API emulator root (python3-moto from Debian, built once per machine)"
bash test/moto/build-root.sh >/dev/null
step "jest: unit, terraform, consumer, dataplane, instance, apply"
npx jest --maxWorkers=2 "$@"
