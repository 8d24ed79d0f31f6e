//! `Vpc`: subnet tiers across availability zones, routing, NAT gateways and the S3 gateway endpoint.

use ipnet::Ipv4Net;
use kumo_cfn::ec2 as l1;
use kumo_core::{Handle, ResourceOptions, Str, fns};

use crate::Parent;

/// What a subnet tier can reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubnetType {
    /// Routes to the internet gateway; instances may have public addresses. Holds the NAT gateways and
    /// internet-facing load balancers.
    Public,
    /// Outbound internet through a NAT gateway, no inbound from the internet (the CDK's
    /// `PRIVATE_WITH_EGRESS`, formerly `PRIVATE_WITH_NAT`).
    PrivateWithEgress,
    /// No route out of the VPC (databases).
    Isolated,
}

impl SubnetType {
    fn label(self) -> &'static str {
        match self {
            SubnetType::Public => "Public",
            SubnetType::PrivateWithEgress => "Private",
            SubnetType::Isolated => "Isolated",
        }
    }
}

/// One subnet tier: a subnet of this type and size in every availability zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubnetConfiguration {
    /// Shown in the subnets' `Name` tag (`<name>-1`, `<name>-2`, ...).
    pub name: String,
    pub subnet_type: SubnetType,
    /// Prefix length of each subnet (24 = 256 addresses).
    pub cidr_mask: u8,
}

impl SubnetConfiguration {
    pub fn new(name: impl Into<String>, subnet_type: SubnetType, cidr_mask: u8) -> Self {
        SubnetConfiguration {
            name: name.into(),
            subnet_type,
            cidr_mask,
        }
    }
}

/// `10.0.0.0/16`, checked when kumo compiles (a `const`).
const DEFAULT_CIDR: Ipv4Net = Ipv4Net::new_assert(std::net::Ipv4Addr::new(10, 0, 0, 0), 16);

/// Properties of a [`Vpc`].
#[derive(Clone, Debug, PartialEq)]
pub struct VpcProps {
    /// Default: `10.0.0.0/16`.
    pub cidr: Ipv4Net,
    /// Availability zones used, the first N of `Fn::GetAZs` of the deploy region (no lookup at synth
    /// time). Default: 2.
    pub max_azs: u8,
    /// Tiers, allocated in this order from the start of `cidr`, each AZ after the other.
    /// Default: `public` /24 and `private` (with egress) /24.
    pub subnet_configuration: Vec<SubnetConfiguration>,
    /// NAT gateways, placed in the public subnets of the first AZs; private subnets of the other AZs
    /// route through them round-robin. Default: one per AZ (an AZ outage does not cut the others off).
    pub nat_gateways: Option<u8>,
    /// The VPC's `Name` tag. Default: none.
    pub vpc_name: Option<String>,
    /// Tags public subnets `kubernetes.io/role/elb=1` and private ones
    /// `kubernetes.io/role/internal-elb=1`, which the AWS Load Balancer Controller uses to pick subnets.
    /// Default: `true`.
    pub load_balancer_subnet_tags: bool,
    /// A free S3 gateway endpoint on the private route tables, so S3 traffic (container image layers)
    /// skips the NAT gateways. Default: `true`.
    pub s3_gateway_endpoint: bool,
}

impl Default for VpcProps {
    fn default() -> Self {
        VpcProps {
            cidr: DEFAULT_CIDR,
            max_azs: 2,
            subnet_configuration: vec![
                SubnetConfiguration::new("public", SubnetType::Public, 24),
                SubnetConfiguration::new("private", SubnetType::PrivateWithEgress, 24),
            ],
            nat_gateways: None,
            vpc_name: None,
            load_balancer_subnet_tags: true,
            s3_gateway_endpoint: true,
        }
    }
}

impl VpcProps {
    pub fn cidr(mut self, cidr: Ipv4Net) -> Self {
        self.cidr = cidr;
        self
    }
    pub fn max_azs(mut self, azs: u8) -> Self {
        self.max_azs = azs;
        self
    }
    pub fn subnet_configuration(mut self, tiers: Vec<SubnetConfiguration>) -> Self {
        self.subnet_configuration = tiers;
        self
    }
    pub fn nat_gateways(mut self, count: u8) -> Self {
        self.nat_gateways = Some(count);
        self
    }
    pub fn vpc_name(mut self, name: impl Into<String>) -> Self {
        self.vpc_name = Some(name.into());
        self
    }
    pub fn load_balancer_subnet_tags(mut self, on: bool) -> Self {
        self.load_balancer_subnet_tags = on;
        self
    }
    pub fn s3_gateway_endpoint(mut self, on: bool) -> Self {
        self.s3_gateway_endpoint = on;
        self
    }
}

/// A subnet of a [`Vpc`].
#[derive(Clone, Debug)]
pub struct Subnet {
    pub tier: String,
    pub subnet_type: SubnetType,
    /// Index of the availability zone (0-based, into `Fn::GetAZs`).
    pub az_index: usize,
    pub cidr: Ipv4Net,
    /// The scope the subnet's resources live in (`PublicSubnet1`).
    scope_label: String,
    handle: Handle<l1::Subnet>,
}

impl Subnet {
    /// `Ref`: the subnet id.
    pub fn subnet_id(&self) -> Str {
        self.handle.reference()
    }
    pub fn handle(&self) -> &Handle<l1::Subnet> {
        &self.handle
    }
}

/// A VPC with its subnets, routing and gateways (`AWS::EC2::VPC` and friends).
///
/// Layout: each tier gets one subnet per AZ, CIDRs allocated in tier order (`10.0.0.0/24`,
/// `10.0.1.0/24` for the first tier of two AZs, and so on). The public tiers share one route table with
/// a default route to the internet gateway; private tiers use one route table per NAT gateway; isolated
/// tiers share a route table with no route out.
#[derive(Clone, Debug)]
pub struct Vpc {
    handle: Handle<l1::VPC>,
    cidr: Ipv4Net,
    subnets: Vec<Subnet>,
    private_route_tables: Vec<Str>,
    az_count: usize,
}

impl Vpc {
    /// Props it cannot honour are reported ([`kumo_core::Scope::report_invalid_props`]) and fail
    /// `synth`: tiers that do not fit in the VPC CIDR (or two tiers with one name), `max_azs` of 0,
    /// private subnets with egress but no NAT gateway, more NAT gateways than AZs with a public subnet.
    pub fn new(parent: &mut impl Parent, id: &str, props: VpcProps) -> Vpc {
        let mut scope = parent.child(id);
        if props.max_azs == 0 {
            scope.report_invalid_props("max_azs", "must be at least 1, got 0");
        }
        let azs = usize::from(props.max_azs.max(1));
        let plan = match allocate(props.cidr, &props.subnet_configuration, azs) {
            Ok(plan) => plan,
            Err(problem) => {
                // No subnets rather than wrong ones; synth fails with the problem.
                scope.report_invalid_props("subnet_configuration", problem);
                Vec::new()
            }
        };
        let has = |kind: SubnetType| props.subnet_configuration.iter().any(|t| t.subnet_type == kind);
        let mut nat_count = if has(SubnetType::PrivateWithEgress) {
            usize::from(props.nat_gateways.unwrap_or(props.max_azs))
        } else {
            0
        };
        if has(SubnetType::PrivateWithEgress) && nat_count == 0 {
            scope.report_invalid_props(
                "nat_gateways",
                "private subnets with egress need at least one NAT gateway (or use isolated subnets)",
            );
        }
        if nat_count > 0 && (!has(SubnetType::Public) || nat_count > azs) {
            scope.report_invalid_props(
                "nat_gateways",
                format!("{nat_count} NAT gateways need a public subnet in as many AZs (max_azs = {azs})"),
            );
            nat_count = nat_count.min(azs);
        }

        let mut vpc = l1::VPC::new()
            .cidr_block(props.cidr.to_string())
            // Interface endpoints with private DNS need DNS hostnames (DNS support is on by default).
            .enable_dns_hostnames(true);
        if let Some(name) = &props.vpc_name {
            vpc = vpc.tags(vec![l1::vpc::Tag::new().key("Name").value(name.as_str())]);
        }
        let handle = scope.add("Resource", vpc);
        let vpc_id = handle.reference();

        let mut subnets = Vec::new();
        for (tier_index, (tier, cidrs)) in plan.iter().enumerate() {
            let label = tier_label(&props.subnet_configuration, tier_index);
            for (az_index, cidr) in cidrs.iter().enumerate() {
                let mut tags =
                    vec![
                        l1::subnet::Tag::new()
                            .key("Name")
                            .value(format!("{}-{}", tier.name, az_index + 1)),
                    ];
                if props.load_balancer_subnet_tags {
                    match tier.subnet_type {
                        SubnetType::Public => {
                            tags.push(l1::subnet::Tag::new().key("kubernetes.io/role/elb").value("1"))
                        }
                        SubnetType::PrivateWithEgress => {
                            tags.push(l1::subnet::Tag::new().key("kubernetes.io/role/internal-elb").value("1"))
                        }
                        SubnetType::Isolated => {}
                    }
                }
                let mut subnet = l1::Subnet::new()
                    .vpc_id(vpc_id.clone())
                    .cidr_block(cidr.to_string())
                    .availability_zone(fns::select::<Str>(az_index, fns::get_azs()))
                    .tags(tags);
                if tier.subnet_type == SubnetType::Public {
                    subnet = subnet.map_public_ip_on_launch(true);
                }
                let scope_label = format!("{label}Subnet{}", az_index + 1);
                let subnet = scope.scope(scope_label.as_str()).add("Subnet", subnet);
                subnets.push(Subnet {
                    tier: tier.name.clone(),
                    subnet_type: tier.subnet_type,
                    az_index,
                    cidr: *cidr,
                    scope_label,
                    handle: subnet,
                });
            }
        }

        let mut private_route_tables = Vec::new();
        if has(SubnetType::Public) {
            let igw = scope.add("IGW", l1::InternetGateway::new());
            let attachment = scope.add(
                "VPCGW",
                l1::VPCGatewayAttachment::new()
                    .vpc_id(vpc_id.clone())
                    .internet_gateway_id(igw.reference()),
            );
            let table = scope.add("PublicRouteTable", l1::RouteTable::new().vpc_id(vpc_id.clone()));
            // The route needs the gateway attached; nothing in its properties says so.
            let default_route = scope.add_with(
                "PublicDefaultRoute",
                l1::Route::new()
                    .route_table_id(table.reference())
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id(igw.reference()),
                ResourceOptions::new().depends_on(&attachment),
            );
            associate(&mut scope, &subnets, SubnetType::Public, |_| table.reference());

            let public: Vec<&Subnet> = first_tier(&subnets, SubnetType::Public);
            let mut nat_ids = Vec::new();
            for (n, subnet) in public.iter().take(nat_count).enumerate() {
                let eip = scope.add(format!("NatEip{}", n + 1), l1::EIP::new().domain("vpc"));
                // A NAT gateway in a subnet without its internet route would start unusable.
                let nat = scope.add_with(
                    format!("NatGateway{}", n + 1),
                    l1::NatGateway::new()
                        .subnet_id(subnet.subnet_id())
                        .allocation_id(eip.attr_allocation_id()),
                    ResourceOptions::new().depends_on(&default_route),
                );
                nat_ids.push(nat.reference());
            }
            for (n, nat_id) in nat_ids.iter().enumerate() {
                let table = scope.add(
                    format!("PrivateRouteTable{}", n + 1),
                    l1::RouteTable::new().vpc_id(vpc_id.clone()),
                );
                scope.add(
                    format!("PrivateDefaultRoute{}", n + 1),
                    l1::Route::new()
                        .route_table_id(table.reference())
                        .destination_cidr_block("0.0.0.0/0")
                        .nat_gateway_id(nat_id.clone()),
                );
                private_route_tables.push(table.reference());
            }
            // Without a NAT gateway (reported above) the private subnets stay unassociated.
            let tables = private_route_tables.clone();
            if !tables.is_empty() {
                associate(&mut scope, &subnets, SubnetType::PrivateWithEgress, |az| {
                    tables[az % tables.len()].clone()
                });
            }
        }
        if has(SubnetType::Isolated) {
            let table = scope.add("IsolatedRouteTable", l1::RouteTable::new().vpc_id(vpc_id.clone()));
            associate(&mut scope, &subnets, SubnetType::Isolated, |_| table.reference());
        }
        if props.s3_gateway_endpoint && !private_route_tables.is_empty() {
            scope.add(
                "S3Endpoint",
                l1::VPCEndpoint::new()
                    .vpc_id(vpc_id.clone())
                    .service_name(fns::sub("com.amazonaws.${AWS::Region}.s3"))
                    .vpc_endpoint_type("Gateway")
                    .route_table_ids(private_route_tables.clone()),
            );
        }

        Vpc {
            handle,
            cidr: props.cidr,
            subnets,
            private_route_tables,
            az_count: azs,
        }
    }

    /// `Ref`: the VPC id.
    pub fn vpc_id(&self) -> Str {
        self.handle.reference()
    }

    /// The VPC's CIDR block (known at synth time).
    pub fn cidr(&self) -> Ipv4Net {
        self.cidr
    }

    /// Number of availability zones the VPC spans.
    pub fn az_count(&self) -> usize {
        self.az_count
    }

    /// Every subnet, tier by tier, AZ by AZ.
    pub fn subnets(&self) -> &[Subnet] {
        &self.subnets
    }

    /// The ids of all subnets of `kind`.
    pub fn subnet_ids(&self, kind: SubnetType) -> Vec<Str> {
        self.subnets
            .iter()
            .filter(|s| s.subnet_type == kind)
            .map(Subnet::subnet_id)
            .collect()
    }

    /// The ids of the subnets of the tier named `name`.
    pub fn subnet_ids_named(&self, name: &str) -> Vec<Str> {
        self.subnets
            .iter()
            .filter(|s| s.tier == name)
            .map(Subnet::subnet_id)
            .collect()
    }

    pub fn public_subnet_ids(&self) -> Vec<Str> {
        self.subnet_ids(SubnetType::Public)
    }
    pub fn private_subnet_ids(&self) -> Vec<Str> {
        self.subnet_ids(SubnetType::PrivateWithEgress)
    }
    pub fn isolated_subnet_ids(&self) -> Vec<Str> {
        self.subnet_ids(SubnetType::Isolated)
    }

    /// The route tables of the private subnets (one per NAT gateway).
    pub fn private_route_table_ids(&self) -> &[Str] {
        &self.private_route_tables
    }

    pub fn handle(&self) -> &Handle<l1::VPC> {
        &self.handle
    }
}

/// `Public`, `Private`, `Isolated`; a second tier of the same type is `Public2`, and so on.
fn tier_label(tiers: &[SubnetConfiguration], index: usize) -> String {
    let kind = tiers[index].subnet_type;
    let same_kind_before = tiers[..index].iter().filter(|t| t.subnet_type == kind).count();
    if same_kind_before == 0 {
        kind.label().to_owned()
    } else {
        format!("{}{}", kind.label(), same_kind_before + 1)
    }
}

/// The subnets of the first tier of `kind`.
fn first_tier(subnets: &[Subnet], kind: SubnetType) -> Vec<&Subnet> {
    let Some(first) = subnets.iter().find(|s| s.subnet_type == kind) else {
        return Vec::new();
    };
    subnets.iter().filter(|s| s.tier == first.tier).collect()
}

/// Associates every subnet of `kind` with the route table `table(az_index)`.
fn associate(scope: &mut kumo_core::Scope<'_>, subnets: &[Subnet], kind: SubnetType, table: impl Fn(usize) -> Str) {
    for subnet in subnets.iter().filter(|s| s.subnet_type == kind) {
        scope.scope(subnet.scope_label.as_str()).add(
            "RouteTableAssociation",
            l1::SubnetRouteTableAssociation::new()
                .subnet_id(subnet.subnet_id())
                .route_table_id(table(subnet.az_index)),
        );
    }
}

/// Allocates each tier's subnets (one per AZ) from the start of `cidr`, aligned to each subnet's size.
fn allocate(
    cidr: Ipv4Net,
    tiers: &[SubnetConfiguration],
    azs: usize,
) -> Result<Vec<(SubnetConfiguration, Vec<Ipv4Net>)>, String> {
    let mut names: Vec<&str> = Vec::new();
    for tier in tiers {
        if names.contains(&tier.name.as_str()) {
            return Err(format!("two subnet tiers are named {:?}", tier.name));
        }
        names.push(&tier.name);
    }
    let start = u64::from(u32::from(cidr.network()));
    let end = start + (1u64 << (32 - cidr.prefix_len()));
    let mut next = start;
    let mut plan = Vec::new();
    for tier in tiers {
        if tier.cidr_mask < cidr.prefix_len() || tier.cidr_mask > 28 {
            return Err(format!(
                "subnet tier {:?}: prefix length /{} must be between /{} (the VPC) and /28",
                tier.name,
                tier.cidr_mask,
                cidr.prefix_len()
            ));
        }
        let size = 1u64 << (32 - tier.cidr_mask);
        let mut blocks = Vec::new();
        for _ in 0..azs {
            next = next.div_ceil(size) * size;
            if next + size > end {
                return Err(format!(
                    "{} tiers x {azs} AZs do not fit in {cidr}: tier {:?} (/{}) runs past the end",
                    tiers.len(),
                    tier.name,
                    tier.cidr_mask
                ));
            }
            let network = std::net::Ipv4Addr::from(next as u32);
            let block =
                Ipv4Net::new(network, tier.cidr_mask).map_err(|e| format!("subnet tier {:?}: {e}", tier.name))?;
            blocks.push(block);
            next += size;
        }
        plan.push((tier.clone(), blocks));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::template;
    use kumo_core::Stack;
    use kumo_core::assertions::Match;
    use serde_json::json;

    fn three_tiers() -> VpcProps {
        VpcProps::default().vpc_name("v").subnet_configuration(vec![
            SubnetConfiguration::new("pub", SubnetType::Public, 24),
            SubnetConfiguration::new("priv", SubnetType::PrivateWithEgress, 24),
            SubnetConfiguration::new("iso", SubnetType::Isolated, 24),
        ])
    }

    #[test]
    fn allocates_tiers_in_order_across_azs() {
        let plan = allocate("10.0.0.0/16".parse().unwrap(), &three_tiers().subnet_configuration, 2).unwrap();
        let cidrs: Vec<String> = plan.iter().flat_map(|(_, b)| b.iter().map(|c| c.to_string())).collect();
        assert_eq!(
            cidrs,
            [
                "10.0.0.0/24",
                "10.0.1.0/24",
                "10.0.2.0/24",
                "10.0.3.0/24",
                "10.0.4.0/24",
                "10.0.5.0/24"
            ]
        );
        let mixed = vec![
            SubnetConfiguration::new("a", SubnetType::Public, 26),
            SubnetConfiguration::new("b", SubnetType::Isolated, 24),
        ];
        let plan = allocate("10.1.0.0/22".parse().unwrap(), &mixed, 2).unwrap();
        assert_eq!(plan[1].1[0].to_string(), "10.1.1.0/24", "aligned to the larger block");
    }

    #[test]
    fn allocation_errors_say_what_does_not_fit() {
        let error = allocate("10.0.0.0/23".parse().unwrap(), &three_tiers().subnet_configuration, 2).unwrap_err();
        assert!(error.contains("do not fit in 10.0.0.0/23"), "{error}");
        let wide = vec![SubnetConfiguration::new("a", SubnetType::Public, 8)];
        assert!(
            allocate("10.0.0.0/16".parse().unwrap(), &wide, 1)
                .unwrap_err()
                .contains("/8")
        );
    }

    #[test]
    fn three_tiers_with_one_nat_per_az() {
        let mut stack = Stack::new("T");
        let vpc = Vpc::new(&mut stack, "VPC", three_tiers());
        let t = template(&stack);
        t.resource_count_is("AWS::EC2::Subnet", 6);
        t.resource_count_is("AWS::EC2::NatGateway", 2);
        t.resource_count_is("AWS::EC2::EIP", 2);
        t.resource_count_is("AWS::EC2::RouteTable", 4);
        t.resource_count_is("AWS::EC2::SubnetRouteTableAssociation", 6);
        t.resource_count_is("AWS::EC2::Route", 3);
        t.has_resource_properties(
            "AWS::EC2::VPC",
            json!({"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "Tags": [{"Key": "Name", "Value": "v"}]}),
        );
        t.has_resource_properties(
            "AWS::EC2::Subnet",
            json!({
                "CidrBlock": "10.0.0.0/24",
                "MapPublicIpOnLaunch": true,
                "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
                "Tags": [{"Key": "Name", "Value": "pub-1"}, {"Key": "kubernetes.io/role/elb", "Value": "1"}]
            }),
        );
        t.has_resource_properties(
            "AWS::EC2::Subnet",
            json!({"CidrBlock": "10.0.3.0/24", "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]},
                   "Tags": Match::array_with(json!([{"Key": "kubernetes.io/role/internal-elb", "Value": "1"}]))}),
        );
        t.has_resource_properties(
            "AWS::EC2::Subnet",
            json!({"CidrBlock": "10.0.5.0/24", "Tags": [{"Key": "Name", "Value": "iso-2"}]}),
        );
        t.has_resource_properties(
            "AWS::EC2::VPCEndpoint",
            json!({"VpcEndpointType": "Gateway", "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"},
                   "RouteTableIds": [{"Ref": Match::string_like_regexp("^VPCPrivateRouteTable1")}, {"Ref": Match::string_like_regexp("^VPCPrivateRouteTable2")}]}),
        );
        t.has_resource(
            "AWS::EC2::Route",
            json!({"DependsOn": [Match::string_like_regexp("^VPCVPCGW")]}),
        );
        t.has_resource(
            "AWS::EC2::NatGateway",
            json!({"DependsOn": [Match::string_like_regexp("^VPCPublicDefaultRoute")]}),
        );
        assert_eq!(vpc.private_subnet_ids().len(), 2);
        assert_eq!(vpc.isolated_subnet_ids().len(), 2);
        // The ids the AWS CDK gives the same construct paths (from `cdk diff` of `new ec2.Vpc(this, 'VPC')`),
        // so a stack migrated from the CDK keeps its VPC and subnets instead of replacing them.
        assert_eq!(vpc.handle().logical_id().as_str(), "VPCB9E5F0B4");
        let subnets: Vec<&str> = vpc.subnets().iter().map(|s| s.handle().logical_id().as_str()).collect();
        assert_eq!(
            subnets[..4],
            [
                "VPCPublicSubnet1SubnetB4246D30",
                "VPCPublicSubnet2Subnet74179F39",
                "VPCPrivateSubnet1Subnet8BCA10E0",
                "VPCPrivateSubnet2SubnetCFCDAA7A",
            ]
        );
        let ids: Vec<String> = t
            .find_resources("AWS::EC2::InternetGateway", json!({}))
            .keys()
            .cloned()
            .collect();
        assert_eq!(ids, ["VPCIGWB7E252D3"]);
        let ids: Vec<String> = t
            .find_resources("AWS::EC2::VPCGatewayAttachment", json!({}))
            .keys()
            .cloned()
            .collect();
        assert_eq!(ids, ["VPCVPCGW99B986DC"]);
    }

    #[test]
    fn one_nat_gateway_serves_every_private_subnet() {
        let mut stack = Stack::new("T");
        Vpc::new(&mut stack, "VPC", three_tiers().nat_gateways(1));
        let t = template(&stack);
        t.resource_count_is("AWS::EC2::NatGateway", 1);
        t.resource_count_is("AWS::EC2::RouteTable", 3);
        let associations = t.find_resources(
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({"Properties": {"RouteTableId": {"Ref": Match::string_like_regexp("^VPCPrivateRouteTable1")}}}),
        );
        assert_eq!(associations.len(), 2);
    }

    #[test]
    fn props_it_cannot_honour_are_reported_by_synth_not_panicked_on() {
        let cases = [
            (
                three_tiers().nat_gateways(0),
                "nat_gateways",
                "need at least one NAT gateway",
            ),
            (
                three_tiers().nat_gateways(3),
                "nat_gateways",
                "3 NAT gateways need a public subnet in as many AZs",
            ),
            (three_tiers().max_azs(0), "max_azs", "must be at least 1, got 0"),
            (
                three_tiers().cidr("10.0.0.0/23".parse().unwrap()),
                "subnet_configuration",
                "do not fit in 10.0.0.0/23",
            ),
        ];
        for (props, prop, message) in cases {
            let mut stack = Stack::new("T");
            Vpc::new(&mut stack.scope("Network"), "VPC", props);
            let error = stack.synth().unwrap_err();
            let diagnostic = error
                .diagnostics
                .iter()
                .find(|d| d.kind == kumo_core::DiagnosticKind::InvalidProps)
                .unwrap_or_else(|| panic!("{prop}: {error}"));
            assert_eq!(diagnostic.logical_id.as_deref(), Some("Network/VPC"));
            assert_eq!(diagnostic.path.as_deref(), Some(prop));
            assert!(diagnostic.message.contains(message), "{prop}: {}", diagnostic.message);
        }
    }
}
