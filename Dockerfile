# syntax=docker/dockerfile:1.7
# One image for every service; docker-compose.yml picks the entry point per container.
# Services run from TypeScript source through tsx (a runtime dependency), so what runs is exactly
# what is tested.

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY packages/supergraph/package.json packages/supergraph/
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
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SUPERGRAPH_PATH=/app/schema/supergraph.graphql
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
# ENTRY is the service's entry module; HEALTH_PORT the port its /health answers on.
ENV ENTRY=gateway/src/main.ts \
    HEALTH_PORT=4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node --import tsx \"$ENTRY\""]
