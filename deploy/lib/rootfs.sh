# Assembles a minimal root filesystem from the host's static busybox (package busybox-static) and
# writes it as a tar, for `flotilla import`: the quickstart's base image, made offline.
#
#   rootfs_busybox_tar OUT.tar WORKDIR

rootfs_busybox_tar() {
  local out=$1 work=$2 bb=/bin/busybox
  if ! file_is_static "$bb"; then
    echo "${bb} is not a static binary (install busybox-static)" >&2
    return 1
  fi
  rm -rf "$work"
  mkdir -p "$work"/{bin,etc,tmp,www,root,proc,sys,dev}
  chmod 1777 "$work/tmp"
  cp "$bb" "$work/bin/busybox"
  local applet
  for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$work/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$work/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/etc/group"
  # Fixed owner and times: the same busybox gives the same layer digest on every run.
  tar --numeric-owner --owner=0 --group=0 --mtime='2024-01-01 00:00:00' --sort=name \
    -C "$work" -cf "$out" .
}

file_is_static() {
  # ldd prints "not a dynamic executable" (and fails) for static binaries.
  ! ldd "$1" >/dev/null 2>&1
}
