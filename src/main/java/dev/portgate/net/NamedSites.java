package dev.portgate.net;

/**
 * The name-routing front end as the listener factory sees it: a site forward's "listener" is its claim on a host
 * name in the front end's routing table, taken when the forward starts and given back when it stops.
 */
public interface NamedSites {

    /** {@code dialer}: how the site's target is reached — directly, or back through the session that made it. */
    Listener site(ActiveForward active, Dialer dialer);
}
