#!/bin/sh
# The toolkit image's entry point: `trudeploy "$@"`, after turning stack outputs handed over as
# environment into files.
#
# Platforms hand secrets to a one-off task as environment variables (ECS `secrets`, Container Apps
# `secretRef`, Render environment) or as files (Kubernetes Secret volumes, Cloud Run secret
# volumes). `trudeploy migrate stack` reads each stack's outputs from a file (`--from-outputs`,
# `--to-outputs`: the JSON of `pulumi stack output --json --show-secrets`). So when
# TRUDEPLOY_FROM_OUTPUTS / TRUDEPLOY_TO_OUTPUTS hold that JSON, it is written to files only this
# user can read, in a private directory (tmpfs where there is one), and `migrate stack` is given
# them unless its command line names files already. The variables are removed from the
# environment the toolkit runs with.
set -eu

# A platform that runs a start command *after* the image's entry point (rather than instead of
# it) hands this script its own name first: `trudeploy-task migrate stack` then still works.
case "${1:-}" in
    trudeploy-task|/usr/local/bin/trudeploy-task) shift ;;
esac

dir=""
write_outputs() {  # $1: the variable's value, $2: the file name; prints the file's path
    if [ -z "$dir" ]; then
        base=/dev/shm
        [ -d "$base" ] && [ -w "$base" ] || base="${TMPDIR:-/tmp}"
        dir=$(mktemp -d "$base/trudeploy-outputs.XXXXXX")
    fi
    (umask 077 && printf '%s' "$1" > "$dir/$2")
    printf '%s' "$dir/$2"
}

from_file=""
to_file=""
if [ -n "${TRUDEPLOY_FROM_OUTPUTS:-}" ]; then
    from_file=$(write_outputs "$TRUDEPLOY_FROM_OUTPUTS" from-outputs.json)
fi
if [ -n "${TRUDEPLOY_TO_OUTPUTS:-}" ]; then
    to_file=$(write_outputs "$TRUDEPLOY_TO_OUTPUTS" to-outputs.json)
fi
unset TRUDEPLOY_FROM_OUTPUTS TRUDEPLOY_TO_OUTPUTS

if [ "${1:-}" = "migrate" ] && [ "${2:-}" = "stack" ]; then
    named_from=no
    named_to=no
    for arg in "$@"; do
        case "$arg" in
            --from-outputs|--from-outputs=*) named_from=yes ;;
            --to-outputs|--to-outputs=*) named_to=yes ;;
        esac
    done
    if [ -n "$from_file" ] && [ "$named_from" = no ]; then
        set -- "$@" --from-outputs "$from_file"
    fi
    if [ -n "$to_file" ] && [ "$named_to" = no ]; then
        set -- "$@" --to-outputs "$to_file"
    fi
fi

exec trudeploy "$@"
