#!/usr/bin/env bash
# seqchain local stack: real Kafka 4.1.1 (KRaft), ZooKeeper 3.8 and Redis on loopback ports.
#
#   bash scripts/stack.sh up              start what is not running, wait until each answers
#   bash scripts/stack.sh status          one line per component; exit 0 only if all are up
#   bash scripts/stack.sh down [--purge]  stop what this script started; --purge deletes data
#   bash scripts/stack.sh up --secure     the secured variant (same as SEQCHAIN_STACK_SECURE=1)
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
# Environment (defaults in brackets):
#   SEQCHAIN_STACK_COMPONENTS       components to act on ["zookeeper kafka redis"]
#   SEQCHAIN_STACK_DIR              work folder: configs, data, logs, pid files [<repo>/.stack]
#   SEQCHAIN_CACHE_DIR              download cache, survives --purge [$HOME/.cache/seqchain]
#   SEQCHAIN_KAFKA_PORT [19092]  SEQCHAIN_KAFKA_CONTROLLER_PORT [19093]
#   SEQCHAIN_ZK_PORT [12181]     SEQCHAIN_REDIS_PORT [16379]
#   SEQCHAIN_STACK_TIMEOUT          readiness deadline per component, seconds [90]
#   SEQCHAIN_STACK_SECURE           1: the secured variant (see above) [0]
#   SEQCHAIN_JAVA                   java binary [$JAVA_HOME/bin/java, else java on PATH]
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
SECURE_DIR="$STACK_DIR/secure"
SECRETS_FILE="$STACK_DIR/secrets.env"
# A secured work folder stays secured, so that status/down/up need no flag to find it.
[[ -d "$SECURE_DIR" ]] && SECURE=1
SCRAM_USER=seqchain

# ---------------------------------------------------------------- helpers

say() { printf 'stack: %s\n' "$*"; }
err() { printf 'stack: ERROR: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

now() { printf '%s\n' "${EPOCHREALTIME:-$(date +%s.%N)}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

comp_dir() { printf '%s/%s\n' "$STACK_DIR" "$1"; }
pid_file() { printf '%s/%s/%s.pid\n' "$STACK_DIR" "$1" "$1"; }
log_file() {
  case "$1" in
    zookeeper) printf '%s/zookeeper/zookeeper.log\n' "$STACK_DIR" ;;
    kafka) printf '%s/kafka/server.log\n' "$STACK_DIR" ;;
    redis) printf '%s/redis/redis.log\n' "$STACK_DIR" ;;
  esac
}
comp_port() {
  case "$1" in
    zookeeper) printf '%s\n' "$ZK_PORT" ;;
    kafka) printf '%s\n' "$KAFKA_PORT" ;;
    redis) printf '%s\n' "$REDIS_PORT" ;;
  esac
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

# Components in canonical start order, filtered by SEQCHAIN_STACK_COMPONENTS.
selected() {
  local c
  for c in zookeeper kafka redis; do
    [[ " $COMPONENTS " == *" $c "* ]] && printf '%s\n' "$c"
  done
  return 0
}

# TCP connect to 127.0.0.1:$1 within 2 s (bash /dev/tcp, nothing extra needed).
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

zk_ruok() {
  local reply
  reply="$(timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$ZK_PORT; printf ruok >&3; cat <&3" 2>/dev/null)" || true
  [[ "$reply" == imok ]]
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

# A real admin round trip (DescribeConfigs for broker 1); kafka-tools is not on the classpath,
# ConfigCommand ships in kafka_2.13 itself.
kafka_admin_ok() {
  local dir
  dir="$(comp_dir kafka)"
  timeout 30 "$JAVA" -Xmx256m -cp "$KAFKA_LIBS/*" \
    -Dlog4j2.configurationFile="$dir/tools-log4j2.properties" \
    kafka.admin.ConfigCommand --bootstrap-server "$HOST:$KAFKA_PORT" \
    --command-config "$dir/admin.properties" \
    --entity-type brokers --entity-name 1 --describe >"$dir/admin-check.out" 2>&1
}

answers() {
  case "$1" in
    zookeeper) zk_ruok ;;
    kafka) port_open "$KAFKA_PORT" ;;
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
  if [[ "$comp" == kafka && -s "$(comp_dir kafka)/admin-check.out" ]]; then
    printf -- '----- last admin check -----\n' >&2
    tail -n 15 "$(comp_dir kafka)/admin-check.out" >&2
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

write_zookeeper_config() {
  local dir
  dir="$(comp_dir zookeeper)"
  mkdir -p "$dir/data"
  cat >"$dir/zoo.cfg" <<EOF
# generated by scripts/stack.sh
tickTime=500
initLimit=10
syncLimit=5
minSessionTimeout=1000
maxSessionTimeout=30000
dataDir=$dir/data
clientPort=$ZK_PORT
clientPortAddress=$HOST
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
EOF
}

write_kafka_config() {
  local dir
  dir="$(comp_dir kafka)"
  mkdir -p "$dir/data"
  if [[ "$SECURE" == 1 ]]; then
    write_kafka_secure_config "$dir"
  else
    write_kafka_plain_config "$dir"
  fi
  write_kafka_logging_config "$dir"
}

# Broker settings both modes share: one KRaft node (broker + controller) on loopback, every
# internal topic at replication 1, no delay before the first rebalance (see the README).
kafka_common_properties() {
  local dir="$1"
  cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

write_kafka_plain_config() {
  local dir="$1"
  {
    echo "# generated by scripts/stack.sh: single-node KRaft (broker + controller) on loopback"
    kafka_common_properties "$dir"
    cat <<EOF
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
EOF
  } >"$dir/server.properties"
  cat >"$dir/admin.properties" <<'EOF'
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

# The client port speaks SASL_SSL only, also between the broker and itself; the controller
# port stays PLAINTEXT on loopback. Both files hold passwords: mode 600.
write_kafka_secure_config() {
  local dir="$1" jaas
  jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$ADMIN_PW\";"
  (
    umask 077
    {
      echo "# generated by scripts/stack.sh: single-node KRaft (broker + controller) on loopback, SASL_SSL"
      kafka_common_properties "$dir"
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
  dir="$(comp_dir redis)"
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

kafka_format_storage() {
  local dir cid
  dir="$(comp_dir kafka)"
  if [[ -f "$dir/data/meta.properties" ]]; then
    return 0
  fi
  if [[ -s "$dir/cluster.id" ]]; then
    cid="$(cat "$dir/cluster.id")"
  else
    cid="$("$JAVA" -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$dir/tools-log4j2.properties" \
      kafka.tools.StorageTool random-uuid 2>>"$dir/format.log" | tail -n1)"
    [[ -n "$cid" ]] || { cat "$dir/format.log" >&2; die "kafka: StorageTool random-uuid printed nothing"; }
    printf '%s\n' "$cid" >"$dir/cluster.id"
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
    die "kafka: StorageTool format failed (see $dir/format.log)"
  fi
  say "kafka storage formatted (cluster id $cid)"
}

# ---------------------------------------------------------------- start / wait / stop

# Start the component in the background in its own session; sets STARTED_PID.
launch() {
  local comp="$1" dir out
  dir="$(comp_dir "$comp")"
  out="$dir/$comp.out"
  case "$comp" in
    zookeeper)
      # zookeeper.jar's manifest Class-Path pulls in its Debian deps (netty, jackson, jute, ...);
      # slf4j-simple (libslf4j-java, a dependency) gives the log a binding, INFO to stderr.
      local cp="$ZK_JAR"
      [[ -f /usr/share/java/slf4j-simple.jar ]] && cp="$cp:/usr/share/java/slf4j-simple.jar"
      out="$(log_file zookeeper)"
      nohup setsid "$JAVA" -Xms64m -Xmx256m -XX:+UseSerialGC -Djava.awt.headless=true \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
        -Dzookeeper.jmx.log4j.disable=true \
        -cp "$cp" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" \
        >>"$out" 2>&1 </dev/null &
      ;;
    kafka)
      rm -f "$dir/admin-check.out"
      nohup setsid "$JAVA" -Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
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
  printf '%s\n' "$STARTED_PID" >"$(pid_file "$comp")"
}

# Wait until the component answers; on timeout or death print its log tail and return 1.
wait_ready() {
  local comp="$1" pid="$2" t0="$3" deadline port
  port="$(comp_port "$comp")"
  deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      err "$comp (pid $pid) exited during startup"
      rm -f "$(pid_file "$comp")"
      show_log_tail "$comp"
      return 1
    fi
    case "$comp" in
      kafka) port_open "$KAFKA_PORT" && kafka_admin_ok && return 0 ;;
      *) answers "$comp" && return 0 ;;
    esac
    sleep 0.3
  done
  err "$comp did not answer on $HOST:$port within ${TIMEOUT}s (pid $pid); stopping it"
  show_log_tail "$comp"
  stop_pid "$comp" "$pid" || true
  rm -f "$(pid_file "$comp")"
  return 1
}

stop_pid() {
  local comp="$1" pid="$2" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do # up to 20 s
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  err "$comp (pid $pid) still alive after 20s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  return 1
}

cmd_up() {
  local comps=() c pid port failed=0 a
  for a in "$@"; do
    case "$a" in
      --secure) SECURE=1 ;;
      *) die "unknown option for up: $a (only --secure)" ;;
    esac
  done
  mapfile -t comps < <(selected)
  ensure_prereqs "${comps[@]}"
  mkdir -p "$STACK_DIR"
  if [[ "$SECURE" == 1 ]]; then
    ensure_secure_material
    write_secrets_file
  fi

  declare -A start_t=() start_pid=()
  for c in "${comps[@]}"; do
    mkdir -p "$(comp_dir "$c")"
    port="$(comp_port "$c")"
    if pid="$(running_pid "$c")"; then
      start_pid[$c]="$pid"
      start_t[$c]=""
      continue
    fi
    if port_open "$port"; then
      die "$c: $HOST:$port is already taken by a process this script did not start; stop it or set another port"
    fi
    if [[ "$c" == kafka ]] && port_open "$KAFKA_CONTROLLER_PORT"; then
      die "kafka: controller port $HOST:$KAFKA_CONTROLLER_PORT is already taken; set SEQCHAIN_KAFKA_CONTROLLER_PORT"
    fi
    case "$c" in
      zookeeper) write_zookeeper_config ;;
      kafka)
        ensure_kafka_jars
        write_kafka_config
        kafka_format_storage
        ;;
      redis) write_redis_config ;;
    esac
    start_t[$c]=new
  done

  # Launch only after all preparation (jar fetch, storage format) so start times are honest.
  for c in "${comps[@]}"; do
    [[ "${start_t[$c]}" == new ]] || continue
    start_t[$c]="$(now)"
    launch "$c"
    start_pid[$c]="$STARTED_PID"
    say "$c starting (pid $STARTED_PID, log $(log_file "$c"))"
  done

  # Wait for the quick ones first so their reported times are their own.
  for c in redis zookeeper kafka; do
    [[ -n "${start_pid[$c]:-}" ]] || continue
    port="$(comp_port "$c")"
    pid="${start_pid[$c]}"
    if [[ -z "${start_t[$c]}" ]]; then
      # Ours and alive: leave it alone, but make sure it answers (it may still be starting).
      if wait_ready "$c" "$pid" "$(now)"; then
        say "$c already running on $HOST:$port (pid $pid), left alone"
      else
        failed=1
      fi
      continue
    fi
    if wait_ready "$c" "$pid" "${start_t[$c]}"; then
      say "$c up on $HOST:$port (pid $pid, $(elapsed "${start_t[$c]}"))"
    else
      failed=1
    fi
  done
  ((failed == 0)) || die "stack did not come up (logs under $STACK_DIR)"
  return 0
}

cmd_down() {
  local purge=0 comps=() c pid i
  for a in "$@"; do
    case "$a" in
      --purge) purge=1 ;;
      *) die "unknown option for down: $a (only --purge)" ;;
    esac
  done
  mapfile -t comps < <(selected)
  for ((i = ${#comps[@]} - 1; i >= 0; i--)); do # reverse start order
    c="${comps[$i]}"
    if pid="$(running_pid "$c")"; then
      say "stopping $c (pid $pid)"
      if stop_pid "$c" "$pid"; then
        rm -f "$(pid_file "$c")"
        say "$c stopped"
      else
        die "$c (pid $pid) did not stop"
      fi
    else
      say "$c not running"
    fi
  done
  if ((purge)); then
    case "$STACK_DIR" in
      "" | / | "$HOME" | "$REPO_DIR") die "refusing to purge suspicious work folder '$STACK_DIR'" ;;
    esac
    local others=0
    for c in zookeeper kafka redis; do
      running_pid "$c" >/dev/null && others=1
    done
    if ((others)); then
      # Other components still run from this work folder: purge only what was selected.
      for c in "${comps[@]}"; do rm -rf "$(comp_dir "$c")"; done
      say "purged data of: ${comps[*]} (other components still running)"
    else
      rm -rf "$STACK_DIR"
      say "purged $STACK_DIR"
    fi
  fi
  return 0
}

cmd_status() {
  local comps=() c pid port state all=0
  mapfile -t comps < <(selected)
  for c in "${comps[@]}"; do
    port="$(comp_port "$c")"
    if pid="$(running_pid "$c")"; then
      if answers "$c"; then state=up; else state="down (pid alive, not answering)"; all=1; fi
    else
      pid=-
      all=1
      if port_open "$port"; then state="down (port taken by a process not started here)"; else state=down; fi
    fi
    printf '%-10s %s:%-6s pid %-8s %s\n' "$c" "$HOST" "$port" "$pid" "$state"
  done
  return "$all"
}

usage() {
  # the header comment, up to the first line that is not a comment
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up | down | status) validate_components ;;
  esac
  # status and up's readiness checks of a secured stack need its Redis password.
  [[ "$SECURE" == 1 ]] && load_secure_passwords
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
