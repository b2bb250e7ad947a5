/**
 * ratehub-server: not built yet; see the open issues. The module builds empty so that the project's layout is stable.
 */
package io.ratehub.server;
