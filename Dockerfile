# syntax=docker/dockerfile:1.7
# One image for every service; docker-compose.yml and deploy/k8s pick the entry point per
# container (ENTRY). The image runs the JavaScript bundles of `npm run build` with plain node:
# no TypeScript loader, no compiler and no dev dependency is in the runtime stage.
#
#   docker build --build-arg VERSION=$(node -p "require('./package.json').version") \
#     -t traveloure-supergraph:$(node -p "require('./package.json').version") .

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY packages/testing/package.json packages/testing/
COPY host/package.json host/
COPY gateway/package.json gateway/
COPY subgraphs/trip/package.json subgraphs/trip/
COPY subgraphs/ai/package.json subgraphs/ai/
COPY subgraphs/search/package.json subgraphs/search/
COPY subgraphs/notification/package.json subgraphs/notification/
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# Bundles the schema explorer here: at run time /app is read-only (Kubernetes), so a gateway
# that had to bundle it on start would serve no explorer.
RUN npm run -w @traveloure/gateway build:explorer
# One bundle per entry point (scripts/build.ts): gateway/dist/main.js, subgraphs/<name>/dist/index.js,
# subgraphs/notification/dist/worker.js, host/dist/migrate.js.
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="traveloure-supergraph" \
      org.opencontainers.image.version="${VERSION}"
ENV NODE_ENV=production \
    SERVICE_VERSION=${VERSION} \
    SUPERGRAPH_PATH=/app/schema/supergraph.graphql
WORKDIR /app
# The bundles read files beside their sources (schema.graphql, seed CSVs, the supergraph and the
# persisted-operation manifest), so the tree comes along; root owns it and the service cannot
# change it even where the filesystem is writable.
COPY --from=build /app /app
# uid 1000: the numeric user Kubernetes checks against runAsNonRoot.
USER 1000:1000
# ENTRY is the service's bundle; HEALTH_PORT the port its /health answers on.
ENV ENTRY=gateway/dist/main.js \
    HEALTH_PORT=4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node --enable-source-maps \"$ENTRY\""]
