# One image for every service: pick the service(s) with SERVICE=<name>[,<name>...]
# (unset or "all" runs every service in one process). No build step: Node 24 strips
# the TypeScript types at load time.
FROM node:24-slim

WORKDIR /app

# Dependencies first, from the lockfile only, so this layer is reused until
# package.json / package-lock.json change. --omit=dev skips the build/test tools and
# the development mail catcher (maildev: production sends through SMTP_URL);
# --ignore-scripts skips the devDependency `node`'s preinstall download (the base
# image already is Node 24) and no runtime dependency needs an install script.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# Contracts, then code (most often changed last). Files stay owned by root, so the
# app user can read but not modify them.
COPY asyncapi.yaml openapi.yaml ./
COPY generated/ ./generated/
COPY migrations/ ./migrations/
COPY runtime/ ./runtime/
COPY handlers/ ./handlers/
COPY simulators/ ./simulators/

ENV NODE_ENV=production \
    PORT=8080 \
    HEALTH_PORT=8081 \
    MALLOC_ARENA_MAX=2

# The api listens on PORT; every other service answers /health and /ready on HEALTH_PORT.
EXPOSE 8080 8081

# Non-root: the `node` user (uid 1000) that the official image provides.
USER node

# The runtime drains in-flight messages and closes AMQP/DB connections on SIGTERM.
# The heap budget and MALLOC_ARENA_MAX are npm start's (package.json; compose.unit checks
# they agree): with V8's defaults the heap grows to ~330 MB for ~65 MB of live objects, and
# glibc gives each of the process's threads a malloc arena of its own (see the README).
STOPSIGNAL SIGTERM
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=16", "runtime/main.ts"]
