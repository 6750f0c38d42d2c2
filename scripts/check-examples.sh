#!/usr/bin/env bash
# Fails when an example is not `terraform fmt`-clean or does not
# `terraform validate` against the provider built from this tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$root" && go build -o "$tmp/bin/terraform-provider-pim" .)
cat >"$tmp/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "pim-as-code/pim" = "$tmp/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$tmp/terraformrc" CHECKPOINT_DISABLE=1

terraform fmt -check -recursive -diff "$root/examples" || { echo "examples/ is not terraform fmt-clean: run make fmt" >&2; exit 1; }

# Action blocks (Terraform 1.14) and import-by-identity blocks (1.12) are
# fmt-checked above; an older CLI cannot validate them, so it skips them
# (the provider side of both is tested at the protocol level).
tf_minor=$(terraform version -json | sed -nE 's/.*"terraform_version": *"1\.([0-9]+)\..*/\1/p')
new_enough() { [ "${tf_minor:-0}" -ge "$1" ]; }

failed=0
count=0
skipped=0
while IFS= read -r dir; do
  case "$dir" in
  "$root/examples/actions/"*) new_enough 14 || { skipped=$((skipped + 1)); continue; } ;;
  esac
  work="$tmp/work/${dir#"$root/"}"
  mkdir -p "$work"
  cp "$dir"/*.tf "$work/"
  if ! new_enough 12 && [ -f "$work/import-by-identity.tf" ]; then
    rm -f "$work/import-by-identity.tf"
    skipped=$((skipped + 1))
    [ -n "$(ls "$work"/*.tf 2>/dev/null)" ] || continue
  fi
  # Registry examples leave out required_providers; say where pim comes from.
  if ! grep -q required_providers "$work"/*.tf; then
    printf 'terraform {\n  required_providers {\n    pim = { source = "pim-as-code/pim" }\n  }\n}\n' >"$work/zz_providers.tf"
  fi
  count=$((count + 1))
  if ! out=$(cd "$work" && terraform validate -no-color 2>&1); then
    echo "terraform validate failed for ${dir#"$root/"}:" >&2
    echo "$out" | grep -v -e 'development overrides' >&2
    failed=1
  fi
done < <(find "$root/examples" -name '*.tf' -exec dirname {} \; | sort -u)
[ "$failed" -eq 0 ] || exit 1
echo "examples: $count directories fmt-clean and valid ($skipped with action or identity blocks fmt-checked only, as Terraform 1.$tf_minor cannot validate them)"
