/**
 * The {@code registry} command line tool: lists and edits the binding registry
 * ({@code conf/bindings.yaml}) the way smtpreg.vbs did for IIS.
 */
package dev.mailroot.registry;
