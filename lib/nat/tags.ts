/** Tag whose value names the NAT an ENI, EIP, instance or ASG belongs to; the boot script finds its ENIs by it. */
export const NAT_TAG = 'cdktf-egress:nat';
/** Tag on each ENI: the device index it is attached at. */
export const DEVICE_INDEX_TAG = 'cdktf-egress:device-index';
