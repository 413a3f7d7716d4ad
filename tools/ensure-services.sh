#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ (with its management API) answer on this machine.
# Starts them from the local installation when they are down, or with docker compose
# where a Docker engine runs; otherwise says exactly what is missing and fails.
set -uo pipefail

PGHOST_CHECK=${PGHOST_CHECK:-127.0.0.1}
PGPORT_CHECK=${PGPORT_CHECK:-5432}
AMQP_PORT_CHECK=${AMQP_PORT_CHECK:-5672}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" "$2" && return 0; sleep 1; done; return 1; }

docker_engine() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

if ! port_open "$PGHOST_CHECK" "$PGPORT_CHECK"; then
  echo "PostgreSQL is not reachable on $PGHOST_CHECK:$PGPORT_CHECK; starting it"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  elif docker_engine; then
    docker compose up -d postgres
  fi
  wait_port "$PGHOST_CHECK" "$PGPORT_CHECK" || { echo "PostgreSQL could not be started on $PGHOST_CHECK:$PGPORT_CHECK" >&2; exit 1; }
fi

if ! port_open 127.0.0.1 "$AMQP_PORT_CHECK"; then
  echo "RabbitMQ is not reachable on 127.0.0.1:$AMQP_PORT_CHECK; starting it"
  if command -v rabbitmqctl >/dev/null 2>&1 && timeout 20 rabbitmqctl -q ping >/dev/null 2>&1; then
    # The node runs but its application was stopped (rabbitmqctl stop_app, as the fault tests do).
    timeout 60 rabbitmqctl -q start_app || true
  elif command -v rabbitmq-server >/dev/null 2>&1; then
    rabbitmq-server -detached || true
  elif docker_engine; then
    docker compose up -d rabbitmq
  fi
  wait_port 127.0.0.1 "$AMQP_PORT_CHECK" || { echo "RabbitMQ could not be started on 127.0.0.1:$AMQP_PORT_CHECK" >&2; exit 1; }
fi

# The tests create a vhost per run through the management API.
if ! port_open 127.0.0.1 15672 && command -v rabbitmq-plugins >/dev/null 2>&1; then
  rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null || { echo "could not enable rabbitmq_management" >&2; exit 1; }
  wait_port 127.0.0.1 15672 || { echo "RabbitMQ management API did not come up on 127.0.0.1:15672" >&2; exit 1; }
fi
exit 0
