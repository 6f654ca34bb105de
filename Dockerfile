# The ut-media worker image (used by docker-compose.yml; also fine for any container platform).
# Build stage: all dependencies, TypeScript compile and the prebuilt workflow bundle.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# tsc -p tsconfig.json && node scripts/bundle-workflows.js (writes dist/workflow-bundle.js)
RUN npm run build

# Runtime stage: production dependencies and the compiled output only.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY scripts ./scripts
USER node
# Serves <UT_TASK_QUEUE> and <UT_TASK_QUEUE>-api on TEMPORAL_ADDRESS; stops cleanly on SIGTERM.
CMD ["node", "bin/ut-media.js", "worker"]
