# shellcheck shell=bash
# Package and Docker installation shared by bootstrap.sh and bake.sh: each inlines this file where it says
# "# spot-runner: include packages.sh" (provider/bootstrap/scriptTemplate.ts), so a fix lands in both.
# The including script sets ROOT_PREFIX (a sandbox root in tests, "" on an instance) and STATE_DIR.
# shellcheck disable=SC2154 # ROOT_PREFIX and STATE_DIR are the including script's

package_manager() {
  local pm
  for pm in dnf yum apt-get; do
    if command -v "$pm" >/dev/null; then printf '%s' "$pm" && return; fi
  done
  return 1
}

# apt-get update once per boot (a marker file: the calls run in subshells too).
install_packages() {
  local pm
  pm=$(package_manager) || return 1
  if [[ $pm == apt-get ]]; then
    if [[ ! -e $STATE_DIR/apt-updated ]]; then apt-get update -y && touch "$STATE_DIR/apt-updated"; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
  else
    "$pm" -y install "$@"
  fi
}

install_docker() {
  local ID=""
  case $(package_manager) in
    dnf | yum)
      # Docker's CentOS repository from Aliyun's mirror. On Alibaba Cloud Linux 3 the releasever adapter maps
      # its release (3) to the matching CentOS one, as Aliyun's guide to docker on that image does.
      # shellcheck disable=SC1091 # the image's file, not ours
      . "$ROOT_PREFIX/etc/os-release" 2>/dev/null || true
      if [[ $ID == alinux ]]; then install_packages dnf-plugin-releasever-adapter --repo alinux3-plus || true; fi
      "$(package_manager)" config-manager --add-repo https://mirrors.aliyun.com/docker-ce/linux/centos/docker-ce.repo &&
        install_packages docker-ce docker-ce-cli containerd.io docker-buildx-plugin
      ;;
    # buildx separately, by the caller: Ubuntu 20.04 has no docker-buildx package, and its absence must not fail docker.
    apt-get) install_packages docker.io ;;
    *) false ;;
  esac
}
