"""The lab's cloud, made in the AWS API emulator (moto) with boto3, and what moto holds of it.

Run inside the emulator's root (Debian's python3-moto brings python3-boto3), in the lab's
internet namespace, with this file on stdin: `python3 - COMMAND JSON`. It prints one JSON
answer. The lab (support/moto-lab.ts) does the world's own acts with it, the things nobody's
script calls: making the VPCs, ENIs, EIP and group, launching and terminating instances.

  seed       VPCs, subnets, the NAT's tagged ENIs at the lab's addresses, the EIP at the lab's
             public address, and a group to hold the instances (a launch configuration and an
             Auto Scaling group of 0..3)
  launch     an instance at the lab's address in the hub subnet, its primary interface tagged
             for the NAT (the launch template does that), put into the group
  terminate  the instance taken out of its group and terminated; then what EC2 does and moto
             does not: the interfaces attached to it later are detached
  describe   the ENIs, addresses and group instances, for the tests
"""
import json
import os
import sys

import boto3

ENDPOINT = os.environ.get("MOTO_URL", "http://127.0.0.1:9000")
NAT_TAG = "cdktf-egress:nat"


def client(service, region):
    return boto3.client(service, region_name=region, endpoint_url=ENDPOINT,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def seed(a):
    ec2, asg = client("ec2", a["region"]), client("autoscaling", a["region"])
    vpcs, subnets = {}, {}

    def subnet(vpc_cidr, cidr):
        if vpc_cidr not in vpcs:
            vpcs[vpc_cidr] = ec2.create_vpc(CidrBlock=vpc_cidr)["Vpc"]["VpcId"]
        if cidr not in subnets:
            subnets[cidr] = ec2.create_subnet(VpcId=vpcs[vpc_cidr], CidrBlock=cidr)["Subnet"]["SubnetId"]
        return subnets[cidr]

    hub = subnet(a["hubCidr"], a["hubSubnet"])
    enis = {}
    for e in a["enis"]:
        tags = [{"Key": NAT_TAG, "Value": a["natId"]}, {"Key": "cdktf-egress:device-index", "Value": str(e["idx"])}]
        r = ec2.create_network_interface(SubnetId=subnet(e["vpcCidr"], e["subnet"]), PrivateIpAddress=e["ip"],
                                         TagSpecifications=[{"ResourceType": "network-interface", "Tags": tags}])
        enis[str(e["idx"])] = r["NetworkInterface"]["NetworkInterfaceId"]
    eip = ec2.allocate_address(Domain="vpc", Address=a["eip"], TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": NAT_TAG, "Value": a["natId"]}]}])
    if a.get("eipOn") is not None:
        ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=enis[str(a["eipOn"])])
    asg.create_launch_configuration(LaunchConfigurationName=a["group"], ImageId="ami-12c6146b", InstanceType="t4g.nano")
    asg.create_auto_scaling_group(AutoScalingGroupName=a["group"], LaunchConfigurationName=a["group"],
                                  MinSize=0, MaxSize=3, DesiredCapacity=0, VPCZoneIdentifier=hub)
    return {"enis": enis, "allocationId": eip["AllocationId"], "hubSubnet": hub}


def launch(a):
    ec2, asg = client("ec2", a["region"]), client("autoscaling", a["region"])
    inst = ec2.run_instances(ImageId="ami-12c6146b", InstanceType="t4g.nano", MinCount=1, MaxCount=1,
                             SubnetId=a["subnet"], PrivateIpAddress=a["ip"],
                             TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": NAT_TAG, "Value": a["natId"]}]}],
                             )["Instances"][0]
    primary = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.create_tags(Resources=[primary], Tags=[{"Key": NAT_TAG, "Value": a["natId"]}])
    asg.attach_instances(AutoScalingGroupName=a["group"], InstanceIds=[inst["InstanceId"]])
    launched = inst["LaunchTime"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"instanceId": inst["InstanceId"], "primaryEni": primary, "launchTime": launched}


def terminate(a):
    ec2, asg = client("ec2", a["region"]), client("autoscaling", a["region"])
    # Out of the group first: moto's group would launch a replacement of its own, which the lab
    # could not boot (the lab launches the next instance itself).
    if asg.describe_auto_scaling_instances(InstanceIds=[a["instanceId"]])["AutoScalingInstances"]:
        asg.detach_instances(AutoScalingGroupName=a["group"], InstanceIds=[a["instanceId"]], ShouldDecrementDesiredCapacity=True)
    ec2.terminate_instances(InstanceIds=[a["instanceId"]])
    detached = []
    for eni in ec2.describe_network_interfaces()["NetworkInterfaces"]:
        att = eni.get("Attachment") or {}
        if att.get("InstanceId") == a["instanceId"] and att.get("DeviceIndex", 0) != 0:
            ec2.detach_network_interface(AttachmentId=att["AttachmentId"], Force=True)
            detached.append(eni["NetworkInterfaceId"])
    return {"detached": detached}


def describe(a):
    ec2, asg = client("ec2", a["region"]), client("autoscaling", a["region"])
    enis = []
    for e in ec2.describe_network_interfaces(Filters=[{"Name": f"tag:{NAT_TAG}", "Values": [a["natId"]]}])["NetworkInterfaces"]:
        att = e.get("Attachment") or {}
        tags = {t["Key"]: t["Value"] for t in e.get("TagSet", [])}
        enis.append({"id": e["NetworkInterfaceId"], "deviceIndex": tags.get("cdktf-egress:device-index"), "mac": e["MacAddress"],
                     "status": e["Status"], "instanceId": att.get("InstanceId"), "attachmentId": att.get("AttachmentId")})
    addresses = [{"allocationId": x["AllocationId"], "publicIp": x["PublicIp"], "networkInterfaceId": x.get("NetworkInterfaceId"),
                  "privateIp": x.get("PrivateIpAddress")} for x in ec2.describe_addresses()["Addresses"]]
    group = [{"instanceId": x["InstanceId"], "health": x["HealthStatus"], "lifecycle": x["LifecycleState"]}
             for x in asg.describe_auto_scaling_instances()["AutoScalingInstances"]]
    instances = [{"instanceId": i["InstanceId"], "state": i["State"]["Name"]}
                 for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    return {"enis": enis, "addresses": addresses, "group": group, "instances": instances}


COMMANDS = {"seed": seed, "launch": launch, "terminate": terminate, "describe": describe}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))))
