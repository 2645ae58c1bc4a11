# Cut criu's rpc.proto down to the messages and fields hutch uses
# (criu_rpc.c): run at build time on the installed file, the output goes to
# protoc-c.  Field numbers stay criu's, so the messages are criu's on the
# wire; criu's answers carry fields not kept here, which protobuf-c skips.
# Usage: awk -v out=FILE -f criu_rpc.awk rpc.proto
BEGIN {
  keep["criu_opts"] = " images_dir_fd pid log_level log_file notify_scripts orphan_pts_master config_file inherit_fd join_ns "
  keep["inherit_fd"] = " key fd "
  keep["join_namespace"] = " ns ns_file extra_opt "
  keep["criu_req"] = " type opts notify_success "
  keep["criu_resp"] = " type success restore notify "
  keep["criu_restore_resp"] = " pid "
  keep["criu_notify"] = " script "
  keep["criu_req_type"] = " DUMP RESTORE PRE_DUMP NOTIFY "
}
/^syntax/ { print > out; next }
/^(message|enum)[ \t]/ { name = $2; sub(/\{.*/, "", name); blk = name in keep; if (blk) print $1 " " name " {" > out; next }
/^}/ { if (blk) print "}" > out; blk = 0; next }
blk && /^[ \t]*[A-Z_]+[ \t]*=/ && index(keep[name], " " $1 " ") { print > out }
blk && /^[ \t]*(required|optional|repeated)[ \t]/ && index(keep[name], " " $3 " ") { print > out }
