#!/usr/bin/env bash
# make demo: build the provider and the emulator, apply examples/demo against
# a fresh emulator, change the tenant out of band, show the drift plan, then
# destroy and stop the emulator. Offline: dev_overrides, no registry.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.demo"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

if ! command -v terraform >/dev/null 2>&1; then
  echo "make demo needs the Terraform CLI (1.11 or newer) on PATH; it was not found." >&2
  exit 1
fi
command -v curl >/dev/null 2>&1 || { echo "make demo needs curl on PATH; it was not found." >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/bin" "$work/config"

say "Building the provider (it also serves the emulator)"
(cd "$root" && go build -o "$work/bin/terraform-provider-pim" .)

say "Starting the PIM emulator on a free loopback port (terraform-provider-pim emulator, fresh data file)"
"$work/bin/terraform-provider-pim" emulator -addr 127.0.0.1:0 -data "$work/state.json" -ready-file "$work/ready.json" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
cleanup() {
  kill "$emulator_pid" 2>/dev/null || true
  wait "$emulator_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  [ -s "$work/ready.json" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/ready.json" ] || { echo "the emulator did not start; see $work/emulator.log" >&2; exit 1; }
endpoint=$(sed -E 's/.*"endpoint":"([^"]*)".*/\1/' "$work/ready.json")
token=$(sed -E 's/.*"token":"([^"]*)".*/\1/' "$work/ready.json")
control=$(sed -E 's/.*"control_token":"([^"]*)".*/\1/' "$work/ready.json")
dashboard=$(sed -E 's/.*"dashboard":"([^"]*)".*/\1/' "$work/ready.json")
echo "emulator: $endpoint"
echo "live dashboard: $dashboard (open it in a browser while the demo runs: it reloads every 5 seconds)"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "pim-as-code/pim" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export PIM_ENDPOINT="$endpoint" PIM_ACCESS_TOKEN="$token"
cp "$root/examples/demo/main.tf" "$work/config/"
cd "$work/config"
# tf runs terraform and drops the dev_overrides warning box, which says only
# what this script already told the reader.
tf() {
  terraform "$@" -no-color 2>&1 | awk '
    /^Warning: Provider development overrides are in effect/ { skip = 1; next }
    skip { if ($0 ~ /releases\.$/) skip = 0; next }
    { print }'
  return "${PIPESTATUS[0]}"
}

say "terraform apply: a role setting, three eligible assignments, one active assignment, a just-in-time group membership, and Contributor on an Azure resource group with its setting"
tf apply -auto-approve

say "terraform plan: nothing changed, so nothing to do"
tf plan -detailed-exitcode

say "Just in time: Alice activates User Administrator for one hour (as herself, with MFA and a justification)"
alice=$(sed -E 's/.*"alice":"([^"]*)".*/\1/' "$work/ready.json")
curl -fsS -X POST "$endpoint/roleManagement/directory/roleAssignmentScheduleRequests" \
  -H "Authorization: Bearer $alice" -H 'Content-Type: application/json' \
  -d '{"action":"selfActivate","principalId":"a11ce000-0000-4000-8000-000000000002","roleDefinitionId":"fe930be7-5e62-47db-91af-98c3a49a38b1","directoryScopeId":"/","justification":"INC-4711 unlock accounts","scheduleInfo":{"expiration":{"type":"afterDuration","duration":"PT1H"}}}' \
  | sed -E 's/.*"status":"([^"]*)".*/Graph answered: status \1/'

say "Just in time, PIM for Groups: Carol activates her membership of Cloud Ops for one hour"
carol=$(sed -E 's/.*"carol":"([^"]*)".*/\1/' "$work/ready.json")
curl -fsS -X POST "$endpoint/identityGovernance/privilegedAccess/group/assignmentScheduleRequests" \
  -H "Authorization: Bearer $carol" -H 'Content-Type: application/json' \
  -d '{"action":"selfActivate","principalId":"a11ce000-0000-4000-8000-000000000004","groupId":"6e0c0000-0000-4000-8000-000000000001","accessId":"member","justification":"CHG-2001 release night","scheduleInfo":{"expiration":{"type":"afterDuration","duration":"PT1H"}}}' \
  | sed -E 's/.*"status":"([^"]*)".*/Graph answered: status \1/'

say "terraform apply -refresh-only: the activations and the audit trail, read through the data sources"
tf apply -refresh-only -auto-approve

say "Out of band: in the portal, an admin removes Bob's Helpdesk Administrator eligibility and makes Dave eligible for Global Reader"
post_eligibility() {
  curl -fsS -X POST "$endpoint/roleManagement/directory/roleEligibilityScheduleRequests" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$1" \
    | sed -E 's/.*"action":"([^"]*)".*"status":"([^"]*)".*/Graph answered: \1 \2/; s/.*"status":"([^"]*)".*"action":"([^"]*)".*/Graph answered: \2 \1/'
}
post_eligibility '{"action":"adminRemove","principalId":"a11ce000-0000-4000-8000-000000000003","roleDefinitionId":"729827e3-9c14-49f7-bb1b-9608f156bbb8","directoryScopeId":"/","justification":"cleanup in the portal"}'
post_eligibility '{"action":"adminAssign","principalId":"a11ce000-0000-4000-8000-000000000005","roleDefinitionId":"f2ef992c-3afb-46b9-b7cf-a126ee74c451","directoryScopeId":"/","justification":"quick favour"}'

say "terraform plan: the removal shows up as a create, the unmanaged eligibility as a failed check"
set +e
tf plan -detailed-exitcode
rc=$?
set -e
if [ "$rc" -ne 2 ]; then
  echo "expected the plan to show drift (exit code 2), got $rc" >&2
  exit 1
fi

say "terraform-provider-pim report: the tenant at a glance (what Terraform manages marked from its state), and the audit history"
"$work/bin/terraform-provider-pim" report -state terraform.tfstate -emulator-control-token "$control" -out "$work/report.html"
"$work/bin/terraform-provider-pim" report -format csv -out "$work/audit.csv"
echo "report: $work/report.html (self-contained: open it in any browser)"
echo "audit history: $work/audit.csv ($(($(wc -l <"$work/audit.csv") - 1)) entries of the last 30 days)"

say "Graph refuses to remove an active assignment in its first 5 minutes: move the emulator's clock 6 minutes on"
curl -fsS -X POST "${endpoint%/v1.0}/_emulator/clock" -H "Authorization: Bearer $control" -d '{"advance":"6m"}'; echo

say "terraform destroy"
tf destroy -auto-approve

say "Least privilege: the application permissions this configuration's calls needed (GET /_emulator/permissions)"
curl -fsS "${endpoint%/v1.0}/_emulator/permissions" -H "Authorization: Bearer $control" \
  | sed -E 's/.*"application_permissions":\[([^]]*)\].*/\1/; s/","/\n/g; s/"//g'
echo

say "Done: the emulator stops now (its live dashboard was $dashboard); the report stays at $work/report.html"
