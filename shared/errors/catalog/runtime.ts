// Errors of the container runtime (agent/runtime): containers, exec, attach, volumes, bundles.
import type { CodeCatalog } from '../types.js';

export const runtimeCodes = {
  CONTAINER_NOT_FOUND: {
    kind: 'not_found',
    message: 'No such container: {id}',
    hint: 'list containers with `flotilla ps -a`',
  },
  CONTAINER_ID_AMBIGUOUS: {
    kind: 'invalid_argument',
    message: 'container id prefix "{id}" matches {count} containers',
    hint: 'give more characters of the id, or the name',
  },
  CONTAINER_NAME_IN_USE: {
    kind: 'already_exists',
    message: 'the container name "/{name}" is already in use by container {id}',
    hint: 'remove or rename that container, or choose another name',
  },
  CONTAINER_NAME_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid container name "{name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed',
  },
  CONTAINER_RUNNING: {
    kind: 'failed_precondition',
    message: 'cannot {action} container {id}: container is running',
    hint: 'stop the container first, or use --force',
  },
  CONTAINER_NOT_RUNNING: {
    kind: 'failed_precondition',
    message: 'container {id} is not running',
  },
  CONTAINER_PAUSED: {
    kind: 'failed_precondition',
    message: 'container {id} is paused',
    hint: 'unpause the container first',
  },
  CONTAINER_NOT_PAUSED: {
    kind: 'failed_precondition',
    message: 'container {id} is not paused',
  },
  CONTAINER_START_FAILED: {
    kind: 'failed_precondition',
    message: 'failed to start container {id}: {reason}',
  },
  CONTAINER_COMMAND_NOT_FOUND: {
    kind: 'invalid_argument',
    message:
      'failed to start container {id}: exec: "{command}": executable file not found in $PATH',
    hint: 'check the command and the image (is the binary in it, and in $PATH?)',
  },
  CONTAINER_COMMAND_NOT_EXECUTABLE: {
    kind: 'invalid_argument',
    message: 'failed to start container {id}: exec: "{command}": permission denied',
    hint: 'the command exists but cannot be executed (a directory, or no execute bit)',
  },
  CONTAINER_NO_COMMAND: {
    kind: 'invalid_argument',
    message: 'no command specified',
    hint: 'the image has no ENTRYPOINT or CMD: give a command after the image name',
  },
  CONTAINER_USER_NOT_FOUND: {
    kind: 'invalid_argument',
    message: 'unable to find {what} {name}: no matching entries in {file} file',
    hint: 'use a numeric uid[:gid], or a user that exists in the image',
  },
  CONTAINER_IMAGE_NOT_FOUND: {
    kind: 'not_found',
    message: 'No such image: {ref}',
    hint: '`flotilla run` pulls missing images (unless --pull never); or run `flotilla pull {ref}`',
  },
  CONTAINER_RUNTIME_FAILED: {
    kind: 'internal',
    message: 'runtime error on container {id}: {detail}',
  },
  CONTAINER_OPTION_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid {option} "{value}": {reason}',
  },
  DEVICE_DRIVER_UNAVAILABLE: {
    kind: 'failed_precondition',
    message: 'could not select device driver "{driver}" with capabilities: {capabilities}',
    hint: 'this agent has no GPU runtime: run the container without --gpus',
  },
  CONTAINER_UPDATE_REFUSED: {
    kind: 'conflict',
    message: 'Cannot update container {id}: {reason}',
  },
  SECURITY_OPT_UNSUPPORTED: {
    kind: 'failed_precondition',
    message: '--security-opt {value} cannot be applied on this host: {reason}',
    hint: 'AppArmor and SELinux options are applied only where the kernel has them; without them apparmor=unconfined and label=disable are what runs anyway',
  },
  SECCOMP_PROFILE_INVALID: {
    kind: 'invalid_argument',
    message: 'cannot load seccomp profile {file}: {reason}',
  },
  RUNTIME_UNKNOWN: {
    kind: 'invalid_argument',
    message: 'unknown runtime "{name}" (known: {known})',
    hint: 'use --runtime runc or --runtime crun',
  },
  RUNTIME_UNSUPPORTED: {
    kind: 'failed_precondition',
    message: '{name} cannot run containers on this host: {reason}',
    hint: 'use --runtime runc, which works with cgroup v1, hybrid and v2 hosts; crun needs the unified cgroup v2 hierarchy mounted at /sys/fs/cgroup',
  },
  RUNTIME_NOT_INSTALLED: {
    kind: 'failed_precondition',
    message: 'runtime {name} is not installed on this node',
    hint: 'install it (apt-get install {name}) or use --runtime runc',
  },
  EXEC_NOT_FOUND: {
    kind: 'not_found',
    message: 'No such exec instance: {id}',
  },
  VOLUME_NOT_FOUND: {
    kind: 'not_found',
    message: 'No such volume: {name}',
  },
  VOLUME_IN_USE: {
    kind: 'conflict',
    message: 'volume {name} is in use by container {id}',
    hint: 'remove the container first',
  },
  VOLUME_EXISTS: {
    kind: 'already_exists',
    message: 'volume {name} already exists',
  },
  MOUNT_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid mount "{spec}": {reason}',
    hint: 'use -v /host/path:/container/path[:ro], -v name:/path or --mount type=bind,src=...,dst=...',
  },
  CIDFILE_EXISTS: {
    kind: 'already_exists',
    message:
      "Container ID file found, make sure the other container isn't running or delete {file}",
  },
  IMAGE_PLATFORM_MISMATCH: {
    kind: 'failed_precondition',
    message:
      'image with reference {ref} was found but does not match the specified platform: wanted {wanted}, actual: {actual}',
    hint: 'pull the image for that platform first: `flotilla pull --platform {wanted} {ref}`',
  },
} satisfies CodeCatalog;
