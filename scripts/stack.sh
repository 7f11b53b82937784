#!/usr/bin/env bash
# seqchain local stack: real Kafka 4.1.1 (KRaft), ZooKeeper 3.8 and Redis on loopback ports.
#
#   bash scripts/stack.sh up              start what is not running, wait until each answers
#   bash scripts/stack.sh status          one line per node; exit 0 only if all are up
#   bash scripts/stack.sh down [--purge]  stop what this script started; --purge deletes data
#   bash scripts/stack.sh stop NODE [--kill]  stop one node (SIGTERM, or SIGKILL), wait until it is gone
#   bash scripts/stack.sh start NODE      start one node, wait until it is really up
#   bash scripts/stack.sh up --secure     the secured variant (same as SEQCHAIN_STACK_SECURE=1)
#   bash scripts/stack.sh up --cluster    the cluster variant (same as SEQCHAIN_STACK_CLUSTER=1)
#
# Nodes: zookeeper, kafka, redis; in the cluster variant kafka-1..3, zookeeper-1..3, redis
# (a name kafka-N or zookeeper-N selects the cluster variant by itself).
#
# Secured variant (use its own SEQCHAIN_STACK_DIR and ports to run it beside the plain stack):
#   Kafka's client port speaks SASL_SSL only (SCRAM-SHA-512 and SCRAM-SHA-256; the broker's
#   certificate is signed by a local CA made once under <dir>/secure/, SAN IP:127.0.0.1 and
#   DNS:localhost); the controller port stays PLAINTEXT on loopback. SCRAM users 'admin' (the
#   broker itself) and 'seqchain' are written into the KRaft metadata at format time. Redis needs
#   a password (requirepass). ZooKeeper is unchanged: seqchain protects its own znodes with digest
#   ACLs (zookeeper.auth + zookeeper.acl=creator). Passwords are generated once (openssl rand) and
#   never printed; <dir>/secrets.env (mode 600) holds, as SEQCHAIN_* variables, everything seqchain
#   needs to use this stack: `set -a; . <dir>/secrets.env; set +a`. A secured work folder stays
#   secured: status, down and a later up see <dir>/secure/ and act accordingly.
#
# Cluster variant (its own folder and ports, so it runs beside the plain stack; plaintext only):
#   three Kafka nodes, each broker + KRaft controller (node ids 1..3, one static quorum), internal
#   topics (offsets, transaction state, share state) at replication factor 3 with min ISR 2, broker
#   default min.insync.replicas=2, unclean leader election off; a three-server ZooKeeper ensemble
#   (myid 1..3, server.N lines, quorum and election ports on loopback); one Redis. Kafka node N
#   listens on <kafka port>+N-1 and <controller port>+N-1, ZooKeeper server N on <zk port>+N-1
#   (quorum <zk quorum port>+N-1, election <zk election port>+N-1). A Kafka node counts as up when
#   it is registered (it answers an admin request for its own broker id through its own port), a
#   ZooKeeper server when it serves (srvr shows leader or follower). `up` writes <dir>/cluster.env:
#   SEQCHAIN_KAFKA_BROKERS (all three), SEQCHAIN_ZK_CONNECT (all three), SEQCHAIN_REDIS_URL,
#   SEQCHAIN_KAFKA_REPLICATION_FACTOR=3, SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS=2:
#   `set -a; . <dir>/cluster.env; set +a`. `down` stops the three Kafka nodes together (one by
#   one, the last ones would wait for a controller quorum that is gone).
#
# Environment (defaults in brackets):
#   SEQCHAIN_STACK_COMPONENTS       kinds of node to act on ["zookeeper kafka redis"]
#   SEQCHAIN_STACK_DIR              work folder: configs, data, logs, pid files [<repo>/.stack]
#   SEQCHAIN_CACHE_DIR              download cache, survives --purge [$HOME/.cache/seqchain]
#   SEQCHAIN_KAFKA_PORT [19092]  SEQCHAIN_KAFKA_CONTROLLER_PORT [19093]
#   SEQCHAIN_ZK_PORT [12181]     SEQCHAIN_REDIS_PORT [16379]
#   SEQCHAIN_STACK_TIMEOUT          readiness deadline per node, seconds [90]
#   SEQCHAIN_STACK_SECURE           1: the secured variant (see above) [0]
#   SEQCHAIN_JAVA                   java binary [$JAVA_HOME/bin/java, else java on PATH]
# The cluster variant reads these instead of the plain stack's folder and ports (first of three):
#   SEQCHAIN_STACK_CLUSTER          1: the cluster variant [0]
#   SEQCHAIN_CLUSTER_DIR            its work folder [<repo>/.stack-cluster]
#   SEQCHAIN_CLUSTER_KAFKA_PORT [29592]  SEQCHAIN_CLUSTER_KAFKA_CONTROLLER_PORT [29692]
#   SEQCHAIN_CLUSTER_ZK_PORT [22581]     SEQCHAIN_CLUSTER_ZK_QUORUM_PORT [22681]
#   SEQCHAIN_CLUSTER_ZK_ELECTION_PORT [22781]  SEQCHAIN_CLUSTER_REDIS_PORT [26779]
#   SEQCHAIN_CLUSTER_KAFKA_HEAP     each Kafka JVM's -Xmx [384m]
#   SEQCHAIN_STACK_TIMEOUT          as above, but [180] for the cluster
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${SEQCHAIN_STACK_DIR:-$REPO_DIR/.stack}"
CACHE_DIR="${SEQCHAIN_CACHE_DIR:-${HOME:-/tmp}/.cache/seqchain}"
COMPONENTS="${SEQCHAIN_STACK_COMPONENTS:-zookeeper kafka redis}"
KAFKA_PORT="${SEQCHAIN_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${SEQCHAIN_KAFKA_CONTROLLER_PORT:-19093}"
ZK_PORT="${SEQCHAIN_ZK_PORT:-12181}"
REDIS_PORT="${SEQCHAIN_REDIS_PORT:-16379}"
TIMEOUT="${SEQCHAIN_STACK_TIMEOUT:-90}"
HOST=127.0.0.1

KAFKA_VERSION=4.1.1
LOG4J_VERSION=2.24.3
KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
KAFKA_MARKER="$CACHE_DIR/kafka-$KAFKA_VERSION/.complete"
ZK_JAR="${SEQCHAIN_ZK_JAR:-/usr/share/java/zookeeper.jar}"

# Secured variant: material made once under $SECURE_DIR; $SECRETS_FILE is what clients read.
SECURE="${SEQCHAIN_STACK_SECURE:-0}"
SCRAM_USER=seqchain
# Cluster variant: three Kafka nodes, three ZooKeeper servers, one Redis (choose_mode).
CLUSTER="${SEQCHAIN_STACK_CLUSTER:-0}"
KAFKA_HEAP=768m
KAFKA_HEAP_MIN=256m

# Called once the command line is known (--cluster, --secure, a node name kafka-N).
choose_mode() {
  if [[ "$CLUSTER" == 1 ]]; then
    [[ "$SECURE" == 1 ]] && die "the cluster variant has no secured mode (unset SEQCHAIN_STACK_SECURE or drop --secure)"
    STACK_DIR="${SEQCHAIN_CLUSTER_DIR:-$REPO_DIR/.stack-cluster}"
    KAFKA_PORT="${SEQCHAIN_CLUSTER_KAFKA_PORT:-29592}"
    KAFKA_CONTROLLER_PORT="${SEQCHAIN_CLUSTER_KAFKA_CONTROLLER_PORT:-29692}"
    ZK_PORT="${SEQCHAIN_CLUSTER_ZK_PORT:-22581}"
    ZK_QUORUM_PORT="${SEQCHAIN_CLUSTER_ZK_QUORUM_PORT:-22681}"
    ZK_ELECTION_PORT="${SEQCHAIN_CLUSTER_ZK_ELECTION_PORT:-22781}"
    REDIS_PORT="${SEQCHAIN_CLUSTER_REDIS_PORT:-26779}"
    # Three JVMs on a small machine: a smaller heap than the single node's.
    KAFKA_HEAP="${SEQCHAIN_CLUSTER_KAFKA_HEAP:-384m}"
    KAFKA_HEAP_MIN=128m
    # Three quorums form at once: on a busy 2-core machine that took up to ~2 minutes.
    TIMEOUT="${SEQCHAIN_STACK_TIMEOUT:-180}"
    CLUSTER_ENV_FILE="$STACK_DIR/cluster.env"
  fi
  SECURE_DIR="$STACK_DIR/secure"
  SECRETS_FILE="$STACK_DIR/secrets.env"
  # A secured work folder stays secured, so that status/down/up need no flag to find it.
  [[ "$CLUSTER" != 1 && -d "$SECURE_DIR" ]] && SECURE=1
  return 0
}

# ---------------------------------------------------------------- helpers

say() { printf 'stack: %s\n' "$*"; }
err() { printf 'stack: ERROR: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

now() { printf '%s\n' "${EPOCHREALTIME:-$(date +%s.%N)}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# A node is one process: zookeeper, kafka, redis; in the cluster variant kafka-N, zookeeper-N
# (N = 1..3, also Kafka's node.id and ZooKeeper's myid) and redis. Its kind is the name without -N.
node_kind() { printf '%s\n' "${1%-[0-9]*}"; }
node_index() {
  if [[ "$1" == *-[0-9]* ]]; then printf '%s\n' "${1##*-}"; else printf '1\n'; fi
}
comp_dir() { printf '%s/%s\n' "$STACK_DIR" "$1"; }
pid_file() { printf '%s/%s/%s.pid\n' "$STACK_DIR" "$1" "$1"; }
log_file() {
  case "$(node_kind "$1")" in
    zookeeper) printf '%s/%s/zookeeper.log\n' "$STACK_DIR" "$1" ;;
    kafka) printf '%s/%s/server.log\n' "$STACK_DIR" "$1" ;;
    redis) printf '%s/%s/redis.log\n' "$STACK_DIR" "$1" ;;
  esac
}
# Node N of a kind uses the first port + N - 1.
comp_port() {
  local i
  i="$(node_index "$1")"
  case "$(node_kind "$1")" in
    zookeeper) printf '%s\n' "$((ZK_PORT + i - 1))" ;;
    kafka) printf '%s\n' "$((KAFKA_PORT + i - 1))" ;;
    redis) printf '%s\n' "$REDIS_PORT" ;;
  esac
}
controller_port() { printf '%s\n' "$((KAFKA_CONTROLLER_PORT + $(node_index "$1") - 1))"; }

# Every node of the mode, in start order.
all_nodes() {
  if [[ "$CLUSTER" == 1 ]]; then
    printf '%s\n' zookeeper-1 zookeeper-2 zookeeper-3 kafka-1 kafka-2 kafka-3 redis
  else
    printf '%s\n' zookeeper kafka redis
  fi
}

# The nodes of the first argument's kind.
nodes_of() {
  local n
  for n in $(all_nodes); do
    [[ "$(node_kind "$n")" == "$1" ]] && printf '%s\n' "$n"
  done
  return 0
}

validate_components() {
  local c
  [[ -n "${COMPONENTS// /}" ]] || die "SEQCHAIN_STACK_COMPONENTS is empty"
  for c in $COMPONENTS; do
    case "$c" in
      zookeeper | kafka | redis) ;;
      *) die "unknown component '$c' in SEQCHAIN_STACK_COMPONENTS (known: zookeeper kafka redis)" ;;
    esac
  done
}

validate_node() {
  local n
  for n in $(all_nodes); do
    [[ "$n" == "$1" ]] && return 0
  done
  die "unknown node '$1' (nodes: $(all_nodes | tr '\n' ' '| sed 's/ $//'))"
}

# Nodes in canonical start order, filtered by SEQCHAIN_STACK_COMPONENTS.
selected() {
  local n
  for n in $(all_nodes); do
    [[ " $COMPONENTS " == *" $(node_kind "$n") "* ]] && printf '%s\n' "$n"
  done
  return 0
}

# TCP connect to 127.0.0.1:$1 within 2 s (bash /dev/tcp, nothing extra needed).
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# A four-letter word to the ZooKeeper server on port $1 (whitelisted in zoo.cfg).
zk_4lw() {
  timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$1; printf %s '$2' >&3; cat <&3" 2>/dev/null || true
}

# standalone, leader or follower when the server on port $1 serves requests; nothing otherwise
# (an ensemble member without a quorum answers srvr with "not currently serving requests").
zk_mode() {
  zk_4lw "$1" srvr | awk '/^Mode: / { print $2 }'
}

redis_ping() {
  local reply
  if [[ -n "${REDIS_PW:-}" ]]; then
    # secured stack: REDISCLI_AUTH rather than -a keeps the password out of the process list
    reply="$(REDISCLI_AUTH="$REDIS_PW" timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" || true
  else
    reply="$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" || true
  fi
  [[ "$reply" == PONG ]]
}

# A real admin round trip through the node's own port: DescribeConfigs for its own broker id.
# The admin client sends it to that broker only once the broker is in the cluster metadata,
# i.e. registered and unfenced. kafka-tools is not on the classpath, ConfigCommand ships in
# kafka_2.13 itself.
kafka_admin_ok() {
  local node="$1" dir
  dir="$(comp_dir "$node")"
  timeout 40 "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$KAFKA_LIBS/*" \
    -Dlog4j2.configurationFile="$dir/tools-log4j2.properties" \
    kafka.admin.ConfigCommand --bootstrap-server "$HOST:$(comp_port "$node")" \
    --command-config "$dir/admin.properties" \
    --entity-type brokers --entity-name "$(node_index "$node")" --describe >"$dir/admin-check.out" 2>&1
}

answers() {
  case "$(node_kind "$1")" in
    zookeeper) [[ -n "$(zk_mode "$(comp_port "$1")")" ]] ;;
    kafka) port_open "$(comp_port "$1")" ;;
    redis) redis_ping ;;
  esac
}

# Does the live process $2 look like the component $1 this script started?
pid_is_ours() {
  local comp="$1" pid="$2" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  case "$comp" in
    # redis-server rewrites its title to "redis-server 127.0.0.1:PORT"
    redis) [[ "$cmd" == *redis-server* && "$cmd" == *":$REDIS_PORT"* ]] ;;
    *) [[ "$cmd" == *"$(comp_dir "$comp")/"* ]] ;;
  esac
}

# Prints the pid if the pid file names a live process of ours; removes a stale pid file.
running_pid() {
  local comp="$1" pf pid
  pf="$(pid_file "$comp")"
  [[ -f "$pf" ]] || return 1
  pid="$(head -n1 "$pf" 2>/dev/null || true)"
  if pid_is_ours "$comp" "$pid"; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$pf"
  return 1
}

show_log_tail() {
  local comp="$1" f
  for f in "$(log_file "$comp")" "$(comp_dir "$comp")/$comp.out"; do
    if [[ -s "$f" ]]; then
      printf -- '----- last lines of %s -----\n' "$f" >&2
      tail -n 40 "$f" >&2
    fi
  done
  if [[ "$(node_kind "$comp")" == kafka && -s "$(comp_dir "$comp")/admin-check.out" ]]; then
    printf -- '----- last admin check -----\n' >&2
    tail -n 15 "$(comp_dir "$comp")/admin-check.out" >&2
  fi
}

# ---------------------------------------------------------------- prerequisites

APT_UPDATED=0
apt_install() {
  if [[ "$APT_UPDATED" == 0 ]]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pick_java() {
  if [[ -n "${SEQCHAIN_JAVA:-}" ]]; then
    JAVA="$SEQCHAIN_JAVA"
  elif [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
  else
    JAVA="$(command -v java || true)"
  fi
}

java_major() {
  "$JAVA" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

need_kafka_jars() { [[ ! -f "$KAFKA_MARKER" ]]; }

ensure_prereqs() {
  local comps=" $* " missing=() pkgs=() m
  pick_java
  if [[ "$comps" == *" kafka "* || "$comps" == *" zookeeper "* ]]; then
    [[ -n "$JAVA" ]] || { missing+=("java"); pkgs+=("default-jre-headless"); }
  fi
  if [[ "$comps" == *" kafka "* ]] && need_kafka_jars && ! command -v mvn >/dev/null; then
    missing+=("mvn"); pkgs+=("maven")
  fi
  if [[ "$comps" == *" zookeeper "* && ! -f "$ZK_JAR" ]]; then
    missing+=("zookeeper ($ZK_JAR)"); pkgs+=("zookeeper")
  fi
  if [[ "$comps" == *" redis "* ]]; then
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
      missing+=("redis-server/redis-cli"); pkgs+=("redis-server")
    fi
  fi
  if [[ "$comps" == *" kafka "* ]] && ! command -v kcat >/dev/null; then
    # Not for the stack itself: the ordered-topic test reads with a client that is not kafkajs.
    missing+=("kcat"); pkgs+=("kcat")
  fi
  if ((${#missing[@]})); then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      say "missing: ${missing[*]}; installing ${pkgs[*]}"
      apt_install "${pkgs[@]}"
      pick_java
    else
      err "missing: ${missing[*]}"
      err "install them first, e.g.: sudo apt-get install -y ${pkgs[*]}"
      exit 1
    fi
  fi
  if [[ "$comps" == *" kafka "* || "$comps" == *" zookeeper "* ]]; then
    [[ -n "$JAVA" ]] || die "java still not found"
    m="$(java_major)"
    if [[ "$comps" == *" kafka "* ]] && [[ -z "$m" || "$m" -lt 17 ]]; then
      die "Kafka $KAFKA_VERSION needs Java 17+, $JAVA is '${m:-unknown}' (install openjdk-17-jre-headless or set SEQCHAIN_JAVA)"
    fi
  fi
  if [[ "$comps" == *" zookeeper "* ]]; then
    # Debian 12's redis-server/zookeeper postinst may have pulled a system service up;
    # we never touch those, we only need the binaries.
    [[ -f "$ZK_JAR" ]] || die "ZooKeeper jar $ZK_JAR not found after install"
  fi
}

# Kafka jars from Maven Central, cached outside the work folder.
ensure_kafka_jars() {
  if ! need_kafka_jars; then
    say "kafka jars cached ($KAFKA_LIBS)"
    return 0
  fi
  local base="$CACHE_DIR/kafka-$KAFKA_VERSION" t0 tmp
  mkdir -p "$base"
  exec 9>"$base/.lock"
  flock 9
  if ! need_kafka_jars; then # another 'up' fetched them while we waited
    exec 9>&-
    say "kafka jars cached ($KAFKA_LIBS)"
    return 0
  fi
  t0="$(now)"
  say "fetching kafka $KAFKA_VERSION jars with mvn into $KAFKA_LIBS"
  cat >"$base/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>seqchain</groupId>
  <artifactId>seqchain-stack-kafka</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- Kafka 4.x logs through slf4j 1.7 + log4j2; the binding is not in Kafka's POM. -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  tmp="$base/libs.tmp.$$"
  rm -rf "$tmp"
  if ! (cd "$base" && mvn -q -B -f pom.xml dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp") >"$base/mvn.log" 2>&1; then
    err "mvn dependency:copy-dependencies failed; last lines of $base/mvn.log:"
    tail -n 30 "$base/mvn.log" >&2
    rm -rf "$tmp"
    exit 1
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is not in $tmp"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  printf 'kafka %s, log4j %s, %s\n' "$KAFKA_VERSION" "$LOG4J_VERSION" "$(date -u +%FT%TZ)" >"$KAFKA_MARKER"
  exec 9>&-
  say "kafka jars ready ($(ls "$KAFKA_LIBS" | wc -l) jars, $(elapsed "$t0"))"
}

# ---------------------------------------------------------------- secured variant

# Passwords of the secured stack, made once (hex only: they go unquoted into JAAS lines and
# the StorageTool --add-scram syntax). Sets ADMIN_PW SCRAM_PW REDIS_PW ZK_PW STORE_PW.
load_secure_passwords() {
  local f="$SECURE_DIR/passwords.env"
  [[ -f "$f" ]] || return 0
  # shellcheck disable=SC1090
  . "$f"
}

# CA, broker key store, trust store and passwords under $SECURE_DIR (mode 700), once.
ensure_secure_material() {
  local d="$SECURE_DIR" t0
  if [[ -f "$d/.complete" ]]; then
    load_secure_passwords
    return 0
  fi
  if [[ -f "$(comp_dir kafka)/data/meta.properties" ]]; then
    # Its SCRAM users were made with passwords we no longer have (or it is a plain stack).
    die "$STACK_DIR holds Kafka data formatted without this stack's credentials; use another SEQCHAIN_STACK_DIR or run 'down --purge' first"
  fi
  command -v openssl >/dev/null || die "the secured stack needs openssl"
  command -v keytool >/dev/null || die "the secured stack needs keytool (from the Java runtime)"
  t0="$(now)"
  rm -rf "$d"
  mkdir -p "$d"
  chmod 700 "$d"
  # One && chain: errexit does not apply inside an if condition, so every step is checked here.
  if ! (
    umask 077 && cd "$d" &&
      {
        printf '# generated by scripts/stack.sh: secrets of the secured stack, never printed\n'
        for v in ADMIN_PW SCRAM_PW REDIS_PW ZK_PW STORE_PW; do
          printf "%s='%s'\n" "$v" "$(openssl rand -hex 24)"
        done
      } >passwords.env &&
      . ./passwords.env && export STORE_PW && # read from the environment, not argv (ps)
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -keyout ca.key -out ca.pem \
        -subj "/CN=seqchain local stack CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>>openssl.log &&
      openssl req -newkey rsa:2048 -nodes -sha256 -keyout broker.key -out broker.csr -subj "/CN=$HOST" 2>>openssl.log &&
      # Clients check the broker's address against the SAN: kafkajs (Node) and Java both do.
      printf 'subjectAltName=IP:%s,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$HOST" >broker.ext &&
      openssl x509 -req -sha256 -days 825 -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -extfile broker.ext -out broker.pem 2>>openssl.log &&
      openssl pkcs12 -export -name broker -in broker.pem -inkey broker.key -certfile ca.pem \
        -out broker.p12 -passout env:STORE_PW 2>>openssl.log &&
      keytool -importcert -noprompt -alias seqchain-ca -file ca.pem -keystore truststore.p12 \
        -storetype PKCS12 -storepass:env STORE_PW >>openssl.log 2>&1 &&
      chmod 644 ca.pem # the CA certificate is public: clients need it to check the broker
  ); then
    tail -n 20 "$d/openssl.log" >&2 2>/dev/null || true
    rm -rf "$d"
    die "could not make the secured stack's certificates"
  fi
  touch "$d/.complete"
  load_secure_passwords
  say "secured stack: local CA and broker certificate made under $d ($(elapsed "$t0"))"
}

# Everything seqchain needs to use the secured stack, as the SEQCHAIN_* variables it reads.
# Rewritten on every up (the ports may have changed); mode 600.
write_secrets_file() {
  (
    umask 077
    cat >"$SECRETS_FILE.tmp" <<EOF
# generated by scripts/stack.sh: how seqchain reaches the secured stack in $STACK_DIR.
# Secret: keep it mode 600. Use it with: set -a; . $SECRETS_FILE; set +a
SEQCHAIN_KAFKA_BROKERS=$HOST:$KAFKA_PORT
SEQCHAIN_KAFKA_SSL=true
SEQCHAIN_KAFKA_TLS_CA_FILE=$SECURE_DIR/ca.pem
SEQCHAIN_KAFKA_SASL_MECHANISM=scram-sha-512
SEQCHAIN_KAFKA_SASL_USERNAME=$SCRAM_USER
SEQCHAIN_KAFKA_SASL_PASSWORD=$SCRAM_PW
SEQCHAIN_ZK_CONNECT=$HOST:$ZK_PORT
SEQCHAIN_ZK_AUTH=$SCRAM_USER:$ZK_PW
SEQCHAIN_ZK_ACL=creator
SEQCHAIN_REDIS_URL=redis://$HOST:$REDIS_PORT
SEQCHAIN_REDIS_PASSWORD=$REDIS_PW
EOF
    mv "$SECRETS_FILE.tmp" "$SECRETS_FILE"
  )
}

# ---------------------------------------------------------------- configs

# One server: the plain stack's standalone ZooKeeper, or server N of the cluster's ensemble.
write_zookeeper_config() {
  local node="$1" dir i
  dir="$(comp_dir "$node")"
  mkdir -p "$dir/data"
  {
    cat <<EOF
# generated by scripts/stack.sh
tickTime=500
initLimit=10
syncLimit=5
minSessionTimeout=1000
maxSessionTimeout=30000
dataDir=$dir/data
clientPort=$(comp_port "$node")
clientPortAddress=$HOST
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat,mntr
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
EOF
    if [[ "$CLUSTER" == 1 ]]; then
      # The ensemble: quorum and election ports on loopback (quorumListenOnAllIPs stays false).
      for i in 1 2 3; do
        printf 'server.%s=%s:%s:%s\n' "$i" "$HOST" "$((ZK_QUORUM_PORT + i - 1))" "$((ZK_ELECTION_PORT + i - 1))"
      done
    fi
  } >"$dir/zoo.cfg"
  [[ "$CLUSTER" == 1 ]] && node_index "$node" >"$dir/data/myid"
  return 0
}

write_kafka_config() {
  local node="$1" dir
  dir="$(comp_dir "$node")"
  mkdir -p "$dir/data"
  if [[ "$SECURE" == 1 ]]; then
    write_kafka_secure_config "$node"
  else
    write_kafka_plain_config "$node"
  fi
  write_kafka_logging_config "$dir"
}

# Broker settings all modes share: KRaft nodes that are broker + controller on loopback, no
# delay before the first rebalance (see the README). The plain and secured stacks are one node
# with every internal topic at replication 1; the cluster is three nodes, one static controller
# quorum, internal topics at replication 3 with min ISR 2 and no unclean leader election.
kafka_common_properties() {
  local node="$1" dir rf=1 isr=1 voters i
  dir="$(comp_dir "$node")"
  voters="1@$HOST:$KAFKA_CONTROLLER_PORT"
  if [[ "$CLUSTER" == 1 ]]; then
    rf=3
    isr=2
    voters=""
    for i in 1 2 3; do voters="${voters:+$voters,}$i@$HOST:$((KAFKA_CONTROLLER_PORT + i - 1))"; done
  fi
  cat <<EOF
process.roles=broker,controller
node.id=$(node_index "$node")
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
EOF
  if [[ "$CLUSTER" == 1 ]]; then
    # min.insync.replicas is also what __consumer_offsets gets (it has no setting of its own).
    # Fewer partitions than Kafka's 50 for the offsets and transaction topics: 30 replicas each
    # instead of 150 on a small machine; group and transaction coordinators still spread over
    # the three brokers.
    cat <<EOF
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
EOF
  fi
}

write_kafka_plain_config() {
  local node="$1" dir port cport
  dir="$(comp_dir "$node")"
  port="$(comp_port "$node")"
  cport="$(controller_port "$node")"
  {
    if [[ "$CLUSTER" == 1 ]]; then
      echo "# generated by scripts/stack.sh: node $(node_index "$node") of a three-node KRaft cluster (broker + controller) on loopback"
    else
      echo "# generated by scripts/stack.sh: single-node KRaft (broker + controller) on loopback"
    fi
    kafka_common_properties "$node"
    cat <<EOF
listeners=PLAINTEXT://$HOST:$port,CONTROLLER://$HOST:$cport
advertised.listeners=PLAINTEXT://$HOST:$port
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
EOF
  } >"$dir/server.properties"
  # The cluster's check waits longer inside one JVM (until the broker is registered) rather than
  # starting a new JVM every 10 s while three brokers start on a small machine.
  cat >"$dir/admin.properties" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=$([[ "$CLUSTER" == 1 ]] && echo 25000 || echo 10000)
EOF
}

# The client port speaks SASL_SSL only, also between the broker and itself; the controller
# port stays PLAINTEXT on loopback. Both files hold passwords: mode 600.
write_kafka_secure_config() {
  local node="$1" dir jaas
  dir="$(comp_dir "$node")"
  jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$ADMIN_PW\";"
  (
    umask 077
    {
      echo "# generated by scripts/stack.sh: single-node KRaft (broker + controller) on loopback, SASL_SSL"
      kafka_common_properties "$node"
      cat <<EOF
listeners=SASL_SSL://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://$HOST:$KAFKA_PORT
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$jaas
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$jaas
ssl.keystore.type=PKCS12
ssl.keystore.location=$SECURE_DIR/broker.p12
ssl.keystore.password=$STORE_PW
ssl.key.password=$STORE_PW
ssl.truststore.type=PKCS12
ssl.truststore.location=$SECURE_DIR/truststore.p12
ssl.truststore.password=$STORE_PW
ssl.client.auth=none
EOF
    } >"$dir/server.properties"
    cat >"$dir/admin.properties" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=10000
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$jaas
ssl.truststore.type=PKCS12
ssl.truststore.location=$SECURE_DIR/truststore.p12
ssl.truststore.password=$STORE_PW
EOF
  )
}

write_kafka_logging_config() {
  local dir="$1"
  cat >"$dir/log4j2.properties" <<EOF
# generated by scripts/stack.sh: Kafka logs at WARN to a file in the work folder
status = warn
name = seqchain-kafka
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $dir/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
# one INFO line ("Kafka Server started") so the log shows each start
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
EOF
  cat >"$dir/tools-log4j2.properties" <<'EOF'
# generated by scripts/stack.sh: command-line tools log WARN to stderr
status = warn
name = seqchain-kafka-tools
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
EOF
}

write_redis_config() {
  local dir
  dir="$(comp_dir "$1")"
  mkdir -p "$dir/data"
  cat >"$dir/redis.conf" <<EOF
# generated by scripts/stack.sh: loopback only, no persistence
port $REDIS_PORT
bind $HOST
protected-mode yes
daemonize no
dir "$dir/data"
logfile "$dir/redis.log"
save ""
appendonly no
stop-writes-on-bgsave-error no
EOF
  if [[ "$SECURE" == 1 ]]; then
    chmod 600 "$dir/redis.conf"
    printf 'requirepass %s\n' "$REDIS_PW" >>"$dir/redis.conf"
  fi
}

# What StorageTool random-uuid prints (16 random bytes, base64url, no padding), without starting
# a JVM; never with a leading '-', which a command line would take for an option.
new_cluster_id() {
  local cid=-
  while [[ "$cid" == -* ]]; do
    cid="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  printf '%s\n' "$cid"
}

# The cluster id is made once per work folder (all three nodes of the cluster share it).
kafka_format_storage() {
  local node="$1" dir cid idfile
  dir="$(comp_dir "$node")"
  if [[ -f "$dir/data/meta.properties" ]]; then
    return 0
  fi
  idfile="$dir/cluster.id"
  [[ "$CLUSTER" == 1 ]] && idfile="$STACK_DIR/cluster.id"
  if [[ -s "$idfile" ]]; then
    cid="$(cat "$idfile")"
  else
    cid="$(new_cluster_id)"
    printf '%s\n' "$cid" >"$idfile"
  fi
  local scram=()
  if [[ "$SECURE" == 1 ]]; then
    # SCRAM users go into the bootstrap metadata (KIP-900): the broker needs 'admin' to talk
    # to itself before any admin call could create users. Both mechanisms for both users.
    local m u p
    for m in SCRAM-SHA-512 SCRAM-SHA-256; do
      for u in admin "$SCRAM_USER"; do
        if [[ "$u" == admin ]]; then p="$ADMIN_PW"; else p="$SCRAM_PW"; fi
        scram+=(--add-scram "$m=[name=$u,password=$p]")
      done
    done
  fi
  if ! "$JAVA" -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$dir/tools-log4j2.properties" \
    kafka.tools.StorageTool format -t "$cid" -c "$dir/server.properties" --ignore-formatted \
    "${scram[@]}" >>"$dir/format.log" 2>&1; then
    tail -n 20 "$dir/format.log" >&2
    die "$node: StorageTool format failed (see $dir/format.log)"
  fi
  say "$node storage formatted (cluster id $cid)"
}

# ---------------------------------------------------------------- start / wait / stop

# Start the node in the background in its own session; sets STARTED_PID.
launch() {
  local node="$1" dir out
  dir="$(comp_dir "$node")"
  out="$dir/$node.out"
  case "$(node_kind "$node")" in
    zookeeper)
      # zookeeper.jar's manifest Class-Path pulls in its Debian deps (netty, jackson, jute, ...);
      # slf4j-simple (libslf4j-java, a dependency) gives the log a binding, INFO to stderr.
      local cp="$ZK_JAR" main=org.apache.zookeeper.server.ZooKeeperServerMain xms=64m
      [[ -f /usr/share/java/slf4j-simple.jar ]] && cp="$cp:/usr/share/java/slf4j-simple.jar"
      [[ "$CLUSTER" == 1 ]] && { main=org.apache.zookeeper.server.quorum.QuorumPeerMain; xms=32m; }
      out="$(log_file "$node")"
      nohup setsid "$JAVA" -Xms$xms -Xmx256m -XX:+UseSerialGC -Djava.awt.headless=true \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
        -Dzookeeper.jmx.log4j.disable=true \
        -cp "$cp" "$main" "$dir/zoo.cfg" \
        >>"$out" 2>&1 </dev/null &
      ;;
    kafka)
      rm -f "$dir/admin-check.out"
      nohup setsid "$JAVA" -Xms$KAFKA_HEAP_MIN -Xmx$KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.awt.headless=true -Dkafka.logs.dir="$dir" \
        -Dlog4j2.configurationFile="$dir/log4j2.properties" \
        -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties" \
        >>"$out" 2>&1 </dev/null &
      ;;
    redis)
      nohup setsid redis-server "$dir/redis.conf" >>"$out" 2>&1 </dev/null &
      ;;
  esac
  STARTED_PID=$!
  printf '%s\n' "$STARTED_PID" >"$(pid_file "$node")"
}

# A live process (a zombie nobody reaped yet counts as gone).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

# Wait until the node answers (a Kafka node: registered, a ZooKeeper server: serving); on
# timeout or death print its log tail and return 1.
wait_ready() {
  local node="$1" pid="$2" deadline port
  port="$(comp_port "$node")"
  deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! alive "$pid"; then
      err "$node (pid $pid) exited during startup"
      rm -f "$(pid_file "$node")"
      show_log_tail "$node"
      return 1
    fi
    case "$(node_kind "$node")" in
      kafka) port_open "$port" && kafka_admin_ok "$node" && return 0 ;;
      *) answers "$node" && return 0 ;;
    esac
    sleep 0.3
  done
  err "$node did not answer on $HOST:$port within ${TIMEOUT}s (pid $pid); stopping it"
  show_log_tail "$node"
  stop_nodes TERM "$node" || true
  return 1
}

# Wait until the process is gone: SIGKILL after 20 s.
wait_gone() {
  local node="$1" pid="$2" i
  for ((i = 0; i < 100; i++)); do # up to 20 s
    alive "$pid" || return 0
    sleep 0.2
  done
  err "$node (pid $pid) still alive after 20s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do
    alive "$pid" || return 0
    sleep 0.2
  done
  return 1
}

# Signal every running node given (TERM, or KILL) at once, then wait until each is gone. At
# once matters for the cluster's Kafka nodes: stopped one by one, the last two would wait for a
# controller quorum that has left.
stop_nodes() {
  local sig="$1" n pid how=""
  shift
  [[ "$sig" == KILL ]] && how=", SIGKILL"
  declare -A pids=()
  for n in "$@"; do
    if pid="$(running_pid "$n")"; then
      pids[$n]="$pid"
      say "stopping $n (pid $pid$how)"
      kill "-$sig" "$pid" 2>/dev/null || true
    else
      say "$n not running"
    fi
  done
  for n in "$@"; do
    [[ -n "${pids[$n]:-}" ]] || continue
    wait_gone "$n" "${pids[$n]}" || die "$n (pid ${pids[$n]}) did not stop"
    rm -f "$(pid_file "$n")"
    say "$n stopped"
  done
  return 0
}

# Configs (and Kafka storage) of a node that is not running; refuses ports someone else holds.
prepare_node() {
  local node="$1" port i
  port="$(comp_port "$node")"
  mkdir -p "$(comp_dir "$node")"
  if port_open "$port"; then
    die "$node: $HOST:$port is already taken by a process this script did not start; stop it or set another port"
  fi
  case "$(node_kind "$node")" in
    zookeeper)
      if [[ "$CLUSTER" == 1 ]]; then
        i="$(node_index "$node")"
        for port in $((ZK_QUORUM_PORT + i - 1)) $((ZK_ELECTION_PORT + i - 1)); do
          port_open "$port" && die "$node: quorum/election port $HOST:$port is already taken; set SEQCHAIN_CLUSTER_ZK_QUORUM_PORT / SEQCHAIN_CLUSTER_ZK_ELECTION_PORT"
        done
      fi
      write_zookeeper_config "$node"
      ;;
    kafka)
      port="$(controller_port "$node")"
      if port_open "$port"; then
        if [[ "$CLUSTER" == 1 ]]; then
          die "$node: controller port $HOST:$port is already taken; set SEQCHAIN_CLUSTER_KAFKA_CONTROLLER_PORT"
        fi
        die "kafka: controller port $HOST:$port is already taken; set SEQCHAIN_KAFKA_CONTROLLER_PORT"
      fi
      ensure_kafka_jars
      write_kafka_config "$node"
      ;;
    redis) write_redis_config "$node" ;;
  esac
}

# Start the nodes given that are not running and wait until every one of them answers.
start_nodes() {
  local n pid port failed=0
  declare -A start_t=() start_pid=()
  for n in "$@"; do
    if pid="$(running_pid "$n")"; then
      start_pid[$n]="$pid"
      start_t[$n]=""
      continue
    fi
    prepare_node "$n"
    start_t[$n]=new
  done
  format_storage "$@"

  # Launch only after all preparation (jar fetch, storage format) so start times are honest.
  for n in "$@"; do
    [[ "${start_t[$n]}" == new ]] || continue
    start_t[$n]="$(now)"
    launch "$n"
    start_pid[$n]="$STARTED_PID"
    say "$n starting (pid $STARTED_PID, log $(log_file "$n"))"
  done

  # Wait for the quick ones first so their reported times are their own; the Kafka nodes of the
  # cluster together (each check is a JVM of its own).
  local waiters=() w
  for n in $(nodes_of redis) $(nodes_of zookeeper) $(nodes_of kafka); do
    [[ -n "${start_pid[$n]:-}" ]] || continue
    if [[ "$(node_kind "$n")" == kafka ]]; then
      report_ready "$n" "${start_pid[$n]}" "${start_t[$n]}" &
      waiters+=("$!")
    else
      report_ready "$n" "${start_pid[$n]}" "${start_t[$n]}" || failed=1
    fi
  done
  for w in "${waiters[@]}"; do
    wait "$w" || failed=1
  done
  return "$failed"
}

# wait_ready, then one line: how long the node took, or that it was running already ($3 empty).
report_ready() {
  local n="$1" pid="$2" t0="$3" port
  port="$(comp_port "$n")"
  wait_ready "$n" "$pid" || return 1
  if [[ -z "$t0" ]]; then
    say "$n already running on $HOST:$port (pid $pid), left alone"
  else
    say "$n up on $HOST:$port (pid $pid, $(elapsed "$t0"))"
  fi
}

# Formats the storage of the Kafka nodes given that have none yet, all at once.
format_storage() {
  local n jobs=() j failed=0
  for n in "$@"; do
    [[ "$(node_kind "$n")" == kafka && ! -f "$(comp_dir "$n")/data/meta.properties" ]] || continue
    # The cluster id is shared: made here, before the parallel formats read it.
    [[ "$CLUSTER" == 1 && ! -s "$STACK_DIR/cluster.id" ]] && new_cluster_id >"$STACK_DIR/cluster.id"
    kafka_format_storage "$n" &
    jobs+=("$!")
  done
  for j in "${jobs[@]}"; do
    wait "$j" || failed=1
  done
  ((failed == 0)) || die "kafka storage format failed"
}

# Kinds of the nodes given, once each (what ensure_prereqs needs).
kinds_of() {
  local n
  for n in "$@"; do node_kind "$n"; done | sort -u
}

# How seqchain reaches the cluster, as the SEQCHAIN_* variables it reads. Rewritten on every up.
write_cluster_env() {
  local brokers="" zk="" i
  for i in 1 2 3; do
    brokers="${brokers:+$brokers,}$HOST:$((KAFKA_PORT + i - 1))"
    zk="${zk:+$zk,}$HOST:$((ZK_PORT + i - 1))"
  done
  cat >"$CLUSTER_ENV_FILE.tmp" <<EOF
# generated by scripts/stack.sh: how seqchain reaches the cluster stack in $STACK_DIR.
# Use it with: set -a; . $CLUSTER_ENV_FILE; set +a
SEQCHAIN_KAFKA_BROKERS=$brokers
SEQCHAIN_ZK_CONNECT=$zk
SEQCHAIN_REDIS_URL=redis://$HOST:$REDIS_PORT
SEQCHAIN_KAFKA_REPLICATION_FACTOR=3
SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS=2
EOF
  mv "$CLUSTER_ENV_FILE.tmp" "$CLUSTER_ENV_FILE"
}

cmd_up() {
  local nodes=() a t0
  for a in "$@"; do
    case "$a" in
      --secure) SECURE=1 ;;
      *) die "unknown option for up: $a (only --secure, --cluster)" ;;
    esac
  done
  [[ "$CLUSTER" == 1 && "$SECURE" == 1 ]] && die "the cluster variant has no secured mode (drop --secure)"
  t0="$(now)"
  mapfile -t nodes < <(selected)
  ensure_prereqs $(kinds_of "${nodes[@]}")
  mkdir -p "$STACK_DIR"
  if [[ "$SECURE" == 1 ]]; then
    ensure_secure_material
    write_secrets_file
  fi
  start_nodes "${nodes[@]}" || die "stack did not come up (logs under $STACK_DIR)"
  if [[ "$CLUSTER" == 1 ]]; then
    write_cluster_env
    say "cluster up ($(elapsed "$t0")); its settings: set -a; . $CLUSTER_ENV_FILE; set +a"
  fi
  return 0
}

cmd_start() {
  local node="${1:-}"
  [[ -n "$node" ]] || die "start needs a node name (nodes: $(all_nodes | tr '\n' ' ' | sed 's/ $//'))"
  shift
  [[ $# -eq 0 ]] || die "unknown option for start: $1"
  validate_node "$node"
  ensure_prereqs "$(node_kind "$node")"
  mkdir -p "$STACK_DIR"
  [[ "$SECURE" == 1 ]] && ensure_secure_material
  start_nodes "$node" || die "$node did not come up (logs under $(comp_dir "$node"))"
}

cmd_stop() {
  local node="${1:-}" sig=TERM a
  [[ -n "$node" ]] || die "stop needs a node name (nodes: $(all_nodes | tr '\n' ' ' | sed 's/ $//'))"
  shift
  for a in "$@"; do
    case "$a" in
      --kill) sig=KILL ;;
      *) die "unknown option for stop: $a (only --kill)" ;;
    esac
  done
  validate_node "$node"
  stop_nodes "$sig" "$node"
}

cmd_down() {
  local purge=0 nodes=() n k a
  for a in "$@"; do
    case "$a" in
      --purge) purge=1 ;;
      *) die "unknown option for down: $a (only --purge, --cluster)" ;;
    esac
  done
  mapfile -t nodes < <(selected)
  for k in redis kafka zookeeper; do # reverse start order, the nodes of one kind together
    [[ " $COMPONENTS " == *" $k "* ]] || continue
    stop_nodes TERM $(nodes_of "$k")
  done
  if ((purge)); then
    case "$STACK_DIR" in
      "" | / | "$HOME" | "$REPO_DIR") die "refusing to purge suspicious work folder '$STACK_DIR'" ;;
    esac
    local others=0
    for n in $(all_nodes); do
      running_pid "$n" >/dev/null && others=1
    done
    if ((others)); then
      # Other nodes still run from this work folder: purge only what was selected.
      for n in "${nodes[@]}"; do rm -rf "$(comp_dir "$n")"; done
      say "purged data of: ${nodes[*]} (other nodes still running)"
    else
      rm -rf "$STACK_DIR"
      say "purged $STACK_DIR"
    fi
  fi
  return 0
}

cmd_status() {
  local nodes=() n pid port state mode all=0
  [[ $# -eq 0 ]] || die "unknown option for status: $1 (only --cluster)"
  pick_java # the cluster's Kafka lines make an admin request
  mapfile -t nodes < <(selected)
  for n in "${nodes[@]}"; do
    port="$(comp_port "$n")"
    if pid="$(running_pid "$n")"; then
      if answers "$n"; then
        state=up
        if [[ "$CLUSTER" == 1 ]]; then
          case "$(node_kind "$n")" in
            zookeeper) mode="$(zk_mode "$port")" && state="up ($mode)" ;;
            kafka) kafka_admin_ok "$n" || { state="down (answers, not registered)"; all=1; } ;;
          esac
        fi
      else
        state="down (pid alive, not answering)"
        all=1
      fi
    else
      pid=-
      all=1
      if port_open "$port"; then state="down (port taken by a process not started here)"; else state=down; fi
    fi
    printf '%-12s %s:%-6s pid %-8s %s\n' "$n" "$HOST" "$port" "$pid" "$state"
  done
  return "$all"
}

usage() {
  # the header comment, up to the first line that is not a comment
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}" args=() a
  [[ $# -gt 0 ]] && shift
  # --cluster anywhere, or a node that only the cluster has, selects the cluster variant.
  for a in "$@"; do
    case "$a" in
      --cluster) CLUSTER=1 ;;
      *) args+=("$a") ;;
    esac
  done
  case "$cmd" in
    start | stop) [[ "${args[0]:-}" =~ ^(kafka|zookeeper)-[0-9]+$ ]] && CLUSTER=1 ;;
  esac
  [[ " ${args[*]} " == *" --secure "* ]] && SECURE=1
  choose_mode
  case "$cmd" in
    up | down | status | start | stop) validate_components ;;
  esac
  # status and up's readiness checks of a secured stack need its Redis password.
  [[ "$SECURE" == 1 ]] && load_secure_passwords
  case "$cmd" in
    up) cmd_up "${args[@]}" ;;
    down) cmd_down "${args[@]}" ;;
    status) cmd_status "${args[@]}" ;;
    start) cmd_start "${args[@]}" ;;
    stop) cmd_stop "${args[@]}" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
