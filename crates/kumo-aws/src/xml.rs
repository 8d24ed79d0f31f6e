//! XML responses as a small tree: element names (without namespace prefix), their text and children.
//! Operations read the few fields they need with [`XmlNode::child`], [`XmlNode::text`] and
//! [`XmlNode::children_named`]; unknown elements are ignored, so new fields AWS adds never break a call.

use std::borrow::Cow;

/// An XML element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XmlNode {
    /// The local name (`addressesSet`, `member`).
    pub name: String,
    /// The element's own text, unescaped (empty for containers).
    pub text: String,
    pub children: Vec<XmlNode>,
}

impl XmlNode {
    /// Parses a document into its root element.
    pub fn parse(document: &str) -> Result<XmlNode, String> {
        let mut stack: Vec<XmlNode> = Vec::new();
        let mut root: Option<XmlNode> = None;
        for token in xmlparser::Tokenizer::from(document) {
            let token = token.map_err(|e| e.to_string())?;
            match token {
                xmlparser::Token::ElementStart { local, .. } => stack.push(XmlNode {
                    name: local.as_str().to_owned(),
                    ..XmlNode::default()
                }),
                xmlparser::Token::ElementEnd { end, .. } => match end {
                    // `>` of a start tag: its content follows.
                    xmlparser::ElementEnd::Open => {}
                    xmlparser::ElementEnd::Close(..) | xmlparser::ElementEnd::Empty => {
                        let node = stack.pop().ok_or("unbalanced end tag")?;
                        match stack.last_mut() {
                            Some(parent) => parent.children.push(node),
                            None if root.is_none() => root = Some(node),
                            None => return Err("more than one root element".to_owned()),
                        }
                    }
                },
                xmlparser::Token::Text { text } => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&unescape(text.as_str()));
                    }
                }
                xmlparser::Token::Cdata { text, .. } => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(text.as_str());
                    }
                }
                _ => {}
            }
        }
        if !stack.is_empty() {
            return Err("the document ends inside an element".to_owned());
        }
        let mut root = root.ok_or("no root element")?;
        trim_containers(&mut root);
        Ok(root)
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&XmlNode> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Follows a path of child names.
    pub fn path(&self, names: &[&str]) -> Option<&XmlNode> {
        names.iter().try_fold(self, |node, name| node.child(name))
    }

    /// The text of the child `name` (`None` if there is no such child).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The text of the child `name`, or an empty string when there is none (AWS leaves empty fields out).
    pub fn text_or_empty(&self, name: &str) -> String {
        self.text(name).unwrap_or_default().to_owned()
    }

    /// The entries of the list child `list` (`<list><entry>…</entry>…</list>`: `member` in awsQuery,
    /// `item` in EC2); none when the list is absent, as AWS writes no element for an empty list.
    pub fn list<'a>(&'a self, list: &str, entry: &'a str) -> impl Iterator<Item = &'a XmlNode> + 'a {
        self.child(list).into_iter().flat_map(move |l| l.children_named(entry))
    }

    /// The children named `name` (list members: `item` in EC2, `member` in awsQuery).
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlNode> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first element named `name` anywhere below (depth first), or this one.
    pub fn find(&self, name: &str) -> Option<&XmlNode> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// The element written back as XML (no namespace, no declaration): how a record set read from
    /// Route 53 is sent back unchanged in a `DELETE` change, which must match it exactly.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        out.push('>');
        out.push_str(&escape(&self.text));
        for child in &self.children {
            child.write(out);
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

/// Text as XML content.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whitespace between child elements is layout, not text.
fn trim_containers(node: &mut XmlNode) {
    if !node.children.is_empty() && node.text.trim().is_empty() {
        node.text.clear();
    }
    for child in &mut node.children {
        trim_containers(child);
    }
}

/// XML's five named entities and numeric character references.
fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_ec2_list_with_namespaces_and_entities() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeAddressesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
    <addressesSet>
        <item><publicIp>203.0.113.5</publicIp><domain>vpc</domain><tagSet/></item>
        <item>
            <publicIp>198.51.100.7</publicIp>
            <domain>vpc</domain>
            <note>a &amp; b &lt;c&gt; &#233;&#x41;</note>
        </item>
    </addressesSet>
</DescribeAddressesResponse>"#;
        let root = XmlNode::parse(doc).unwrap();
        assert_eq!(root.name, "DescribeAddressesResponse");
        assert_eq!(root.text("requestId"), Some("59dbff89-35bd-4eac-99ed-be587EXAMPLE"));
        let items: Vec<&XmlNode> = root.child("addressesSet").unwrap().children_named("item").collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].text("publicIp"), Some("203.0.113.5"));
        assert_eq!(items[0].text("tagSet"), Some(""));
        assert_eq!(items[1].text("note"), Some("a & b <c> éA"));
        assert_eq!(root.child("addressesSet").unwrap().text, "");
        assert_eq!(root.find("domain").map(|d| d.text.as_str()), Some("vpc"));
    }

    #[test]
    fn writes_back_what_it_read() {
        let doc = r#"<ResourceRecordSet><Name>a.example.com.</Name><ResourceRecords><ResourceRecord><Value>"heritage=external-dns,a&amp;b"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>"#;
        let node = XmlNode::parse(doc).unwrap();
        assert_eq!(XmlNode::parse(&node.to_xml()).unwrap(), node);
        assert!(node.to_xml().contains("&quot;heritage=external-dns,a&amp;b&quot;"));
    }

    #[test]
    fn rejects_broken_documents() {
        assert!(XmlNode::parse("<a><b></a>").is_err());
        assert!(XmlNode::parse("<a>").is_err());
        assert!(XmlNode::parse("<!doctype html><html lang=en>").is_err());
        assert!(XmlNode::parse("").is_err());
    }
}
