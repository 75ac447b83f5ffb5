# Writes the man page quicchat(1) from the program's own help, so that it always matches:
# `quicchat --help` names the commands and each `quicchat COMMAND --help` becomes the section
# of that command (the server's lists every server option).
# Usage: cmake -DQUICCHAT=path/to/quicchat -DVERSION=0.1.0 -DOUT=quicchat.1 -P man.cmake

function(help_of out_var)
  execute_process(COMMAND ${QUICCHAT} ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "quicchat ${ARGN} --help: exit ${rc}: ${err}")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# Text shown as is (.nf): backslashes, hyphens and a leading dot or quote made literal.
function(roff_literal out_var text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

help_of(overview)
string(REGEX MATCHALL "\n  [a-z]+ +[^\n]*" rows "${overview}")
if(NOT rows)
  message(FATAL_ERROR "quicchat --help lists no commands:\n${overview}")
endif()

set(page [=[.TH QUICCHAT 1 "" "quicchat @VERSION@" "User Commands"
.SH NAME
quicchat \- chat server and terminal client over QUIC
.SH SYNOPSIS
.B quicchat
.I COMMAND
.RI [ options ]
.br
.B quicchat \-\-version
.SH DESCRIPTION
One binary: the chat server, its terminal client, account management, development
certificates, a load generator and the operator's view of a running server. Each command's
options follow; the server also reads them from a TOML file
.RB ( "\-\-config FILE" ,
keys named as the options without the dashes).
.SH COMMANDS
]=])
string(CONFIGURE "${page}" page @ONLY)
set(sections "")
foreach(row IN LISTS rows)
  string(REGEX MATCH "^\n  ([a-z]+) +(.*)$" _ "${row}")
  set(command "${CMAKE_MATCH_1}")
  roff_literal(summary "${CMAKE_MATCH_2}")
  string(APPEND page ".TP\n.B ${command}\n${summary}\n")
  help_of(help ${command})
  roff_literal(help "${help}")
  string(APPEND sections ".SH \"quicchat ${command}\"\n.nf\n${help}.fi\n")
endforeach()
string(APPEND page "${sections}" [=[
.SH FILES
.TP
.I /etc/quicchat/server.toml
the service's configuration (installed commented; keys are the server's options)
.TP
.I /var/lib/quicchat/
the service's account and message database, its certificate and its stateless-reset secret
.TP
.I /run/quicchat/admin.sock
the admin socket that
.B quicchat admin
talks to
.SH "SEE ALSO"
.BR systemctl (1),
.BR journalctl (1)
]=])
file(WRITE "${OUT}" "${page}")
