#!/usr/bin/env bash
# Development certificates for nq57, made with Debian's openssl: a CA and
# leaf certificates whose URI SAN is the holder's SPIFFE identity. Private
# keys are written with mode 0600 and must never be committed (var/ is
# ignored by git).
#
#   tools/dev-certs.sh ca DIR [COMMON_NAME]    a CA: DIR/ca.pem, DIR/ca.key
#   tools/dev-certs.sh issue DIR NAME [URI]    DIR/NAME.pem, DIR/NAME.key,
#       signed by DIR's CA, valid for serverAuth and clientAuth, with the
#       SANs DNS:localhost, IP:127.0.0.1 and URI (when given)
#   tools/dev-certs.sh dev DIR                 the development set: the CA,
#       the four servers, nq57ctl and three sample reporters (one Phú Thọ
#       commune, the Phú Thọ platform, a commune of Lai Châu), with the
#       identities deploy/config/access/access.textproto grants roles to
#
# Keys are ECDSA P-256; certificates are valid for 30 days (2 for tests
# that pass NQ57_CERT_DAYS=2).
set -euo pipefail

DAYS="${NQ57_CERT_DAYS:-30}"
DOMAIN="${NQ57_TRUST_DOMAIN:-nq57.local}"

die() { echo "dev-certs: $*" >&2; exit 2; }

make_ca() {
  local dir="$1" cn="${2:-nq57 development CA}"
  mkdir -p "$dir"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" -days "$DAYS" \
    -subj "/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null)
  chmod 644 "$dir/ca.pem"
}

issue() {
  local dir="$1" name="$2" uri="${3:-}"
  [[ -f "$dir/ca.pem" && -f "$dir/ca.key" ]] || die "no CA in $dir (run: $0 ca $dir)"
  [[ "$name" =~ ^[a-z0-9._-]+$ ]] || die "bad certificate name: $name"
  local san="DNS:localhost,IP:127.0.0.1"
  [[ -n "$uri" ]] && san="$san,URI:$uri"
  local ext
  ext="$(mktemp)"
  trap 'rm -f "$ext" "$dir/$name.csr"' RETURN
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=$san" > "$ext"
  (umask 077 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key.new" -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null)
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/$name.pem.new" -days "$DAYS" -extfile "$ext" 2>/dev/null
  # Renamed into place (key first) so a watcher never reads half a file.
  mv -f "$dir/$name.key.new" "$dir/$name.key"
  mv -f "$dir/$name.pem.new" "$dir/$name.pem"
}

case "${1:-}" in
  ca) [[ $# -ge 2 ]] || die "usage: $0 ca DIR [COMMON_NAME]"; make_ca "$2" "${3:-}" ;;
  issue) [[ $# -ge 3 ]] || die "usage: $0 issue DIR NAME [URI]"; issue "$2" "$3" "${4:-}" ;;
  dev)
    [[ $# -eq 2 ]] || die "usage: $0 dev DIR"
    dir="$2"
    [[ -f "$dir/ca.pem" ]] || make_ca "$dir"
    for s in criteria publicservice eidentity; do
      issue "$dir" "$s-server" "spiffe://$DOMAIN/$s-server"
    done
    issue "$dir" aggregator-server "spiffe://$DOMAIN/aggregator"
    issue "$dir" nq57ctl "spiffe://$DOMAIN/nq57ctl"
    issue "$dir" reporter-commune-07900 "spiffe://$DOMAIN/reporter/commune-07900"
    issue "$dir" platform-phu-tho "spiffe://$DOMAIN/platform/phu-tho"
    issue "$dir" reporter-lai-chau "spiffe://$DOMAIN/reporter/lai-chau-commune"
    echo "dev-certs: wrote $dir (CA, 4 servers, nq57ctl, 3 reporters)"
    ;;
  *) die "usage: $0 ca|issue|dev ... (see the comment at the top)" ;;
esac
