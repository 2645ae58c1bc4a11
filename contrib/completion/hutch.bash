# bash completion for hutch(8), the OCI container runtime.
# Installed as share/bash-completion/completions/hutch.
# Completes global options, commands, each command's options (as listed by
# `hutch COMMAND --help`), container IDs (from `hutch list -q`, honouring a
# --root given on the command line), signal names, and files.

_hutch_commands="create start run state list kill delete exec ps pause resume update events spec
features checkpoint restore help"

_hutch_global_opts="--root --log --log-format --debug --systemd-cgroup --rootless --criu --version -v
--help -h"
# Global options that take a value.
_hutch_global_valued="--root --log --log-format --rootless --criu"

# _hutch_opts COMMAND: the options of COMMAND.
_hutch_opts()
{
  local container="--bundle -b --console-socket --pid-file --no-pivot --no-new-keyring
--preserve-fds"
  case "$1" in
  create) echo "$container --help -h" ;;
  run) echo "$container --detach -d --keep --no-subreaper --help -h" ;;
  exec)
    echo "--process -p --tty -t --console-socket --cwd --env -e --user -u --additional-gids -g
--cap -c --no-new-privs --apparmor --process-label --detach -d --pid-file --preserve-fds
--cgroup --ignore-paused --help -h"
    ;;
  kill) echo "--all -a --help -h" ;;
  list) echo "--format -f --quiet -q --help -h" ;;
  delete) echo "--force -f --help -h" ;;
  ps) echo "--format -f --help -h" ;;
  update)
    echo "--resources -r --blkio-weight --cpu-period --cpu-quota --cpu-share --cpu-rt-period
--cpu-rt-runtime --cpuset-cpus --cpuset-mems --memory --memory-reservation --memory-swap
--pids-limit --l3-cache-schema --mem-bw-schema --help -h"
    ;;
  events) echo "--stats --interval --help -h" ;;
  spec) echo "--bundle -b --rootless --help -h" ;;
  *) echo "--help -h" ;;
  esac
}

# _hutch_valued COMMAND: the options of COMMAND that take a value.
_hutch_valued()
{
  local container="--bundle -b --console-socket --pid-file --preserve-fds"
  case "$1" in
  create | run) echo "$container" ;;
  exec)
    echo "--process -p --console-socket --cwd --env -e --user -u --additional-gids -g --cap -c
--apparmor --process-label --pid-file --preserve-fds --cgroup"
    ;;
  list | ps) echo "--format -f" ;;
  update)
    echo "--resources -r --blkio-weight --cpu-period --cpu-quota --cpu-share --cpu-rt-period
--cpu-rt-runtime --cpuset-cpus --cpuset-mems --memory --memory-reservation --memory-swap
--pids-limit --l3-cache-schema --mem-bw-schema"
    ;;
  events) echo "--interval" ;;
  spec) echo "--bundle -b" ;;
  esac
}

_hutch_in_list()
{
  local w=$1 x
  shift
  # shellcheck disable=SC2048 # the lists are split on purpose
  for x in $*; do
    [ "$x" = "$w" ] && return 0
  done
  return 1
}

# _hutch_ids ROOT: the container IDs under ROOT (empty ROOT: the default).
_hutch_ids()
{
  local bin=${COMP_WORDS[0]}
  if [ -n "$1" ]; then
    "$bin" --root "$1" list -q 2>/dev/null
  else
    "$bin" list -q 2>/dev/null
  fi
}

_hutch()
{
  local cur prev cmd="" root="" i w cmd_at=0
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}

  # Find the command (the first word that is not a global option or its value).
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [ "$w" = --root ]; then
      root=${COMP_WORDS[i + 1]}
    elif [[ $w == --root=* ]]; then
      root=${w#--root=}
    fi
    if _hutch_in_list "$w" "$_hutch_global_valued"; then
      ((i++))
      continue
    fi
    case "$w" in
    -*) continue ;;
    *)
      cmd=$w
      cmd_at=$i
      break
      ;;
    esac
  done

  if [ -z "$cmd" ]; then
    case "$prev" in
    --root) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    --log | --criu) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    --log-format) mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur") ;;
    --rootless) mapfile -t COMPREPLY < <(compgen -W "true false auto" -- "$cur") ;;
    *)
      if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$_hutch_global_opts" -- "$cur")
      else
        mapfile -t COMPREPLY < <(compgen -W "$_hutch_commands" -- "$cur")
      fi
      ;;
    esac
    return 0
  fi

  # The value of a command option.
  if _hutch_in_list "$prev" "$(_hutch_valued "$cmd")"; then
    case "$prev" in
    --bundle | -b | --cwd) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    --pid-file | --process | -p | --console-socket | --resources | -r)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      ;;
    --format | -f) mapfile -t COMPREPLY < <(compgen -W "table json" -- "$cur") ;;
    --cap | -c)
      local caps
      caps=$(sed -n 's/^#define \(CAP_[A-Z_]*\)[[:space:]].*/\1/p' /usr/include/linux/capability.h 2>/dev/null |
        grep -v -e CAP_LAST_CAP -e CAP_TO_)
      mapfile -t COMPREPLY < <(compgen -W "$caps" -- "$cur")
      ;;
    *) COMPREPLY=() ;;
    esac
    return 0
  fi

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_hutch_opts "$cmd")" -- "$cur")
    return 0
  fi

  # Count the positional arguments already given after the command.
  local npos=0
  for ((i = cmd_at + 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w == -* ]]; then
      _hutch_in_list "$w" "$(_hutch_valued "$cmd")" && ((i++))
      continue
    fi
    ((npos++))
  done

  case "$cmd" in
  help)
    [ "$npos" = 0 ] && mapfile -t COMPREPLY < <(compgen -W "$_hutch_commands" -- "$cur")
    ;;
  spec | features | list) COMPREPLY=() ;;
  kill)
    if [ "$npos" = 0 ]; then
      mapfile -t COMPREPLY < <(compgen -W "$(_hutch_ids "$root")" -- "$cur")
    elif [ "$npos" = 1 ]; then
      mapfile -t COMPREPLY < <(compgen -W "$(compgen -A signal) $(compgen -A signal | sed 's/^SIG//')" -- "$cur")
    fi
    ;;
  create | run)
    # A new container: no ID to offer.
    COMPREPLY=()
    ;;
  exec | ps)
    if [ "$npos" = 0 ]; then
      mapfile -t COMPREPLY < <(compgen -W "$(_hutch_ids "$root")" -- "$cur")
    elif [ "$cmd" = exec ]; then
      mapfile -t COMPREPLY < <(compgen -c -- "$cur")
    fi
    ;;
  *)
    [ "$npos" = 0 ] && mapfile -t COMPREPLY < <(compgen -W "$(_hutch_ids "$root")" -- "$cur")
    ;;
  esac
  return 0
}

complete -F _hutch hutch
