/**
 * Plugin admission, written once for the server's plugin host, its offline commands and the
 * {@code registry} tool: which files in the plugin folders are candidates ({@link
 * dev.mailroot.host.plugins.PluginFolders}), which of them are plugins this Mailroot can run
 * ({@link dev.mailroot.host.plugins.PluginAdmission}), which of several jars of one plugin is used
 * ({@link dev.mailroot.host.plugins.PluginChoice}), whether a jar's code may run in the server
 * ({@link dev.mailroot.host.plugins.ExitCalls}) and how its extensions are made
 * ({@link dev.mailroot.host.plugins.Extensions}). Nothing here runs plugin code, except
 * {@link dev.mailroot.host.plugins.Extensions#create}, which the server calls under the plugin's
 * class loader.
 */
package dev.mailroot.host.plugins;
