# syntax=docker/dockerfile:1
# acgw as a small static image: the binary, CA certificates, nothing else (no shell).
#   docker build -t acgw .
#   docker run --rm -v "$PWD:/work" -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY \
#     -e AWS_SESSION_TOKEN acgw plan -f gateways/

# Alpine's Rust builds for musl natively, so the release build is static with no cross toolchain.
FROM rust:1.94.1-alpine AS build
# build-base: the C compiler aws-lc-sys (rustls' crypto) needs; ca-certificates: copied below.
# Unpinned: Alpine drops old package versions from its index, so a pin breaks the build.
# hadolint ignore=DL3018
RUN apk add --no-cache build-base ca-certificates
WORKDIR /src
COPY . .
# The build context has no .git (see .dockerignore): the release workflow passes the commit.
ARG ACGW_BUILD_COMMIT=""
ENV ACGW_BUILD_COMMIT=${ACGW_BUILD_COMMIT}
# The same command .ci/run proves on every change.
RUN cargo build --release --locked \
 && install -D -m 0755 target/release/acgw /out/acgw \
 && /out/acgw --version

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/acgw /acgw
# rustls reads the system roots; say where they are, as no distribution layout exists here.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
# Not root. To write plan files into a mounted directory, run with --user "$(id -u):$(id -g)".
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/acgw"]
