#!/usr/bin/env bash
# bin/spark-submit for a SPARK_HOME whose jars/ come from Maven Central: Spark's own launcher
# (org.apache.spark.launcher.Main, as bin/spark-class uses it) prints the JVM command, which runs.
export SPARK_HOME="$(cd "$(dirname "$0")/.." && pwd)"
export SPARK_SCALA_VERSION=2.13   # the launcher asks before it looks at $SPARK_HOME/RELEASE
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
build_command() {
  "$JAVA" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit "$@"
  printf "%d\0" $?
}
CMD=() DELIM=$'\n' STARTED=false
while IFS= read -d "$DELIM" -r ARG; do
  if $STARTED; then CMD+=("$ARG")
  elif [ -z "$ARG" ] || [ "$ARG" = $'\0' ]; then DELIM='' STARTED=true   # the command follows
  else echo "$ARG"
  fi
done < <(build_command "$@")
LAST=$((${#CMD[@]} - 1))
if [ "$LAST" -lt 0 ] || [ "${CMD[$LAST]}" != 0 ]; then exit "${CMD[$LAST]:-1}"; fi
exec "${CMD[@]:0:$LAST}"
