# syntax=docker/dockerfile:1
# Build stage: a static binary (templ output is committed, so no generation here).
FROM golang:1.26-bookworm AS build
# What `gateway version` prints, e.g.
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) --build-arg BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
ARG VERSION=devel
ARG COMMIT=unknown
ARG BUILD_DATE=unknown
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/gateway \
    -ldflags="-s -w \
      -X github.com/conecta-zoho/gateway/internal/buildinfo.version=${VERSION} \
      -X github.com/conecta-zoho/gateway/internal/buildinfo.commit=${COMMIT} \
      -X github.com/conecta-zoho/gateway/internal/buildinfo.date=${BUILD_DATE}" \
    ./cmd/gateway

# Run stage: distroless, non-root, nothing but the binary and CA certificates.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gateway /gateway
USER nonroot:nonroot
# 8080: portal and telephony bridge (public). 9090: /metrics and pprof when
# started with METRICS_ADDR=:9090 (internal only: reachable from the
# monitoring network, never published to the internet).
EXPOSE 8080 9090
ENV LISTEN_ADDR=:8080
# distroless has no shell or curl: the binary asks the server's /readyz itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/gateway", "healthcheck"]
ENTRYPOINT ["/gateway"]
CMD ["serve"]
