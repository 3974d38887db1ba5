/*
 * control_version.h - the version of the control plane (proto/control.proto)
 * that node servers send in Register and the coordinator accepts. Bump it on
 * any incompatible change to control.proto. Shared by flash-node,
 * disco-coord and discoctl (which prints it).
 */
#ifndef DISCO_CONTROL_VERSION_H
#define DISCO_CONTROL_VERSION_H

#define CONTROL_PROTOCOL_VERSION 1

#endif
