/**
 * Network failures that retrying cannot heal, by Node's error code (as the ECS SDK and fetch report them): nothing
 * listens on the port, the host name does not resolve, the server does not speak TLS, or its certificate is not
 * trusted. Each is a wrong endpoint, a stopped emulator or a proxy problem: waiting a minute in backoff only
 * hides it. The ECS client and the GitHub endpoint check both read this one table.
 */
export const UNREACHABLE: ReadonlyMap<string, string> = new Map(Object.entries({
  ECONNREFUSED: "connection refused, nothing listens there",
  ENOTFOUND: "the host name does not resolve",
  EPROTO: "the server does not speak HTTPS",
  ERR_SSL_WRONG_VERSION_NUMBER: "the server does not speak HTTPS",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate chain is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate cannot be verified",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its TLS certificate cannot be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate is for another host name",
}));
