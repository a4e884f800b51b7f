#define UTS_RELEASE "2.2.26-driverlab"
#define LINUX_VERSION_CODE 131610
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))
