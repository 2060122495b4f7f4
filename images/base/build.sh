#!/bin/sh
# Build steps of the base image, for Debian (apt-get) and Alpine (apk) bases alike.
#
#   build.sh builder-packages      install what building the wheel needs (builder stage)
#   build.sh stage SRC DEST        build the wheel from SRC and install it under the root DEST,
#                                  with SRC/container as DEST/container (builder stage)
#   build.sh runtime-packages      install what runs: python3 and PyYAML (runtime stage)
#   build.sh finish                byte-compile, link the tools into PATH, make the writable
#                                  paths group-0 writable, strip caches/docs/locales
#
# Runtime packages come from the distribution, so the runtime stage gets no pip, no compiler
# and the distribution's PyYAML with its C loader.
set -eu

die() {
    printf 'build.sh: %s\n' "$*" >&2
    exit 1
}

package_manager() {
    if command -v apk >/dev/null 2>&1; then
        echo apk
    elif command -v apt-get >/dev/null 2>&1; then
        echo apt
    else
        die "no supported package manager (apk or apt-get) in the base image"
    fi
}

# install PACKAGE... -- skips the index download when everything is already there, so a base
# that already has Python builds offline.
install() {
    case "$(package_manager)" in
        apk)
            apk info -e "$@" >/dev/null 2>&1 || apk add --no-cache "$@"
            ;;
        apt)
            missing=""
            for package in "$@"; do
                status=$(dpkg-query -W -f '${Status}' "$package" 2>/dev/null || true)
                [ "$status" = "install ok installed" ] || missing="$missing $package"
            done
            if [ -n "$missing" ]; then
                # apt and debconf chatter goes to a log that is shown only on failure.
                log=$(mktemp)
                # shellcheck disable=SC2086 # $missing is a list of package names
                if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
                    apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
                    cat "$log" >&2
                    die "apt-get install$missing failed"
                fi
                rm -f "$log"
            fi
            ;;
    esac
}

clean_package_caches() {
    case "$(package_manager)" in
        apk)
            rm -rf /var/cache/apk/*
            ;;
        apt)
            apt-get clean
            rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old \
                /var/lib/dpkg/*-old /var/log/apt /var/log/dpkg.log /var/log/alternatives.log
            ;;
    esac
}

builder_packages() {
    case "$(package_manager)" in
        apk) install python3 py3-pip py3-setuptools py3-wheel ;;
        apt) install python3 python3-pip python3-setuptools python3-wheel ;;
    esac
}

# stage SRC DEST: build the wheel, then install it under DEST with the base's own install
# scheme, so copying DEST onto / in the runtime stage puts every file where that Python looks.
# The distribution's setuptools builds it offline; only when it is too old for the project's
# metadata does pip fetch the backend pyproject.toml names from PyPI.
stage() {
    src=$1
    dest=$2
    work=$(mktemp -d)
    export PIP_ROOT_USER_ACTION=ignore
    if ! python3 -m pip wheel --quiet --no-deps --no-build-isolation --no-cache-dir \
        --wheel-dir "$work" "$src" >"$work/offline.log" 2>&1; then
        echo "build.sh: the distribution's setuptools cannot build the wheel; trying PyPI's" >&2
        if ! python3 -m pip wheel --quiet --no-deps --no-cache-dir --wheel-dir "$work" "$src"; then
            cat "$work/offline.log" >&2
            die "cannot build the lightbase wheel (the offline attempt's log is above)"
        fi
    fi
    # --root also waives PEP 668's externally-managed check: nothing here touches the
    # builder's own site-packages.
    python3 -m pip install --quiet --no-deps --no-index --no-compile --no-cache-dir \
        --no-warn-script-location --root "$dest" "$work"/lightbase-*.whl
    mkdir -p "$dest/container"
    if [ -d "$src/container" ]; then
        cp -R "$src/container/." "$dest/container/"
    fi
    rm -rf "$work"
}

runtime_packages() {
    case "$(package_manager)" in
        apk) install python3 py3-yaml ;;
        apt) install python3 python3-yaml ;;
    esac
    clean_package_caches
}

# link_tools: every /container/tool/* into /usr/local/bin, and the `sv` shim only where no
# real `sv` (runit) is installed.
link_tools() {
    mkdir -p /usr/local/bin
    # The image's ENTRYPOINT: a missing one would only show when a container starts.
    [ -x /container/tool/run ] || die "/container/tool/run is missing or not executable"
    for tool in /container/tool/*; do
        [ -f "$tool" ] && [ -x "$tool" ] || continue
        name=$(basename "$tool")
        [ -e "/usr/local/bin/$name" ] || ln -s "$tool" "/usr/local/bin/$name"
    done
    if ! command -v sv >/dev/null 2>&1 && command -v lightbase-sv >/dev/null 2>&1; then
        ln -s "$(command -v lightbase-sv)" /usr/local/bin/sv
    fi
}

# strip: documentation, man pages, locales and the parts of the standard library that only
# an interactive or packaging session uses.
strip_image() {
    rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/* \
        /root/.cache
    for stdlib in /usr/lib/python3*/; do
        rm -rf "$stdlib"ensurepip "$stdlib"idlelib "$stdlib"turtledemo "$stdlib"tkinter \
            "$stdlib"test "$stdlib"lib2to3/tests "$stdlib"pydoc_data
    done
    if [ "$(package_manager)" = apt ]; then
        # Keep later `apt-get install` runs in derived images from bringing docs back.
        cat >/etc/dpkg/dpkg.cfg.d/lightbase-slim <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    fi
    clean_package_caches
}

finish() {
    python3 -c 'import lightbase, yaml' || die "lightbase or PyYAML does not import"
    package=$(python3 -c 'import lightbase, os; print(os.path.dirname(lightbase.__file__))')
    # Compiled now, because at run time the root may be read-only or owned by another user.
    python3 -m compileall -q -j 0 "$package" >/dev/null
    mkdir -p /container/environment /container/service /container/service-available \
        /container/tool /container/run
    link_tools
    # An arbitrary UID runs with GID 0: give group 0 the owner's rights on the tree.
    chgrp -R 0 /container
    chmod -R g=u /container
    strip_image
}

[ "$#" -ge 1 ] || die "usage: build.sh builder-packages|stage SRC DEST|runtime-packages|finish"
step=$1
shift
case "$step" in
    builder-packages) builder_packages ;;
    stage)
        [ "$#" -eq 2 ] || die "usage: build.sh stage SRC DEST"
        stage "$1" "$2"
        ;;
    runtime-packages) runtime_packages ;;
    finish) finish ;;
    *) die "unknown step: $step" ;;
esac
