/**
 * The GitHub Actions runner release the bootstrap installs unless told otherwise, with the SHA-256 of each
 * Linux package as published in the release notes.
 *
 * Source: https://github.com/actions/runner/releases/tag/v2.337.0 (released 2026-08-26), the values between
 * `<!-- BEGIN SHA linux-x64 -->` and `<!-- BEGIN SHA linux-arm64 -->` in the release body. This machine cannot
 * reach GitHub, so the values were taken from public repositories that quote that release body and agree with
 * each other (Dockerfiles, install scripts and lock files pinning v2.337.0 for both architectures).
 *
 * v2.338.0 exists, but no source for its linux-arm64 checksum was found, so both architectures stay on
 * v2.337.0. The runner updates itself when GitHub requires a newer version (the bootstrap does not pass
 * `--disableupdate`), so this pin is a floor, not a ceiling; bump it (version and both checksums together)
 * to save that update on every boot.
 */
export const PINNED_RUNNER = {
  version: "2.337.0",
  sha256: {
    amd64: "70920811a4f8ad4328818682bca5c6469c1c942fab52448868071d0063816613",
    arm64: "9b1dc70626422526e3c94767cf024896beb15da5342a3f4819bf2feac13e0393",
  },
} as const satisfies { readonly version: string; readonly sha256: { readonly amd64: string; readonly arm64: string } };

/** GitHub's name for each architecture in the runner package file names. */
export const RUNNER_PACKAGE_ARCH = { amd64: "x64", arm64: "arm64" } as const;

/** Where runner packages come from unless a mirror is configured: `<base>/v<version>/<file>`. */
export const GITHUB_RELEASES_BASE_URL = "https://github.com/actions/runner/releases/download";
