package dev.portgate.igd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * SOAP 1.1 as UPnP uses it: one action element in the Body, its arguments as child elements.
 * Parsing refuses DOCTYPEs outright, so external entities and entity-expansion bombs never load.
 */
final class Soap {

    static final int MAX_BODY = 16 * 1024;
    /**
     * Arguments that carry an XML document. They go out as CDATA, as miniupnpd sends them: clients
     * such as miniupnpc read the listing without decoding entities. (Values inside are escaped, so
     * no "]]>" can occur.)
     */
    private static final Set<String> CDATA_ARGUMENTS = Set.of("NewPortListing");

    record Call(String action, String serviceType, Map<String, String> args) {
        String arg(String name) throws UpnpError {
            String v = args.get(name);
            if (v == null) {
                throw new UpnpError(UpnpError.INVALID_ARGS, "argument " + name + " is missing");
            }
            return v.strip();
        }
    }

    private static final DocumentBuilderFactory FACTORY = factory();

    private Soap() {}

    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        try {
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        return f;
    }

    /** Reads the call; {@code soapAction} is the header's value (quotes allowed), may be null. */
    static Call parse(byte[] body, String soapAction) throws UpnpError {
        Document doc;
        try {
            DocumentBuilder b = FACTORY.newDocumentBuilder();
            b.setErrorHandler(new DefaultHandler() {
                @Override
                public void fatalError(SAXParseException e) throws SAXParseException {
                    throw e; // said in the fault; never printed on the console
                }
            });
            doc = b.parse(new ByteArrayInputStream(body));
        } catch (SAXException | IOException e) {
            throw new UpnpError(
                    UpnpError.INVALID_ARGS, "the request is not well-formed XML: " + firstLine(e.getMessage()));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        Element envelope = doc.getDocumentElement();
        if (!"Envelope".equals(envelope.getLocalName())) {
            throw new UpnpError(UpnpError.INVALID_ARGS, "the request is not a SOAP envelope");
        }
        Element bodyElement = child(envelope, "Body");
        Element action = bodyElement == null ? null : firstElement(bodyElement);
        if (action == null) {
            throw new UpnpError(UpnpError.INVALID_ACTION, "the SOAP body names no action");
        }
        String serviceType = action.getNamespaceURI() == null ? "" : action.getNamespaceURI();
        if (soapAction != null) {
            String header = soapAction.strip().replace("\"", "");
            int hash = header.indexOf('#');
            if (hash >= 0 && !header.substring(hash + 1).equals(action.getLocalName())) {
                throw new UpnpError(
                        UpnpError.INVALID_ACTION,
                        "SOAPAction " + header + " does not match the body's action " + action.getLocalName());
            }
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (Node n = action.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                args.put(e.getLocalName() == null ? e.getTagName() : e.getLocalName(), e.getTextContent());
            }
        }
        return new Call(action.getLocalName(), serviceType, args);
    }

    static String response(Call call, Map<String, String> out) {
        StringBuilder b = new StringBuilder(envelopeStart());
        // An action sent without a service namespace is answered without one: xmlns:u="" is not well-formed.
        String prefix = call.serviceType().isEmpty() ? "" : "u:";
        b.append('<').append(prefix).append(call.action()).append("Response");
        if (!prefix.isEmpty()) {
            b.append(" xmlns:u=\"").append(escape(call.serviceType())).append('"');
        }
        b.append('>');
        out.forEach((k, v) -> b.append('<')
                .append(k)
                .append('>')
                .append(CDATA_ARGUMENTS.contains(k) ? "<![CDATA[" + v + "]]>" : escape(v))
                .append("</")
                .append(k)
                .append('>'));
        b.append("</").append(prefix).append(call.action()).append("Response>");
        return b.append(envelopeEnd()).toString();
    }

    static String fault(int code, String description) {
        return envelopeStart() + "<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
                + "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>" + code
                + "</errorCode><errorDescription>"
                + escape(description) + "</errorDescription></UPnPError></detail></s:Fault>" + envelopeEnd();
    }

    private static String envelopeStart() {
        return "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>";
    }

    private static String envelopeEnd() {
        return "</s:Body></s:Envelope>\r\n";
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static Element child(Element parent, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static Element firstElement(Element parent) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                return e;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
