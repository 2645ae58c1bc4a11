# Installed next to the binary by `cmake --install`: the man page hutch(8),
# the bash completion, and the engine configuration snippets of
# docs/CLIENTS.md (as examples under the doc directory).
include(GNUInstallDirs)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/man/hutch.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/completion/hutch.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME hutch)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/podman/hutch.conf
              ${CMAKE_CURRENT_LIST_DIR}/containerd/config.toml
              ${CMAKE_CURRENT_LIST_DIR}/containerd/hutch-runtimeclass.yaml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
