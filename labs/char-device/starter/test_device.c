// test_device.c
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#define DEVICE_PATH "/dev/advanced_dev"
#define IOCTL_RESET    _IO('a', 1)
#define IOCTL_GET_SIZE _IOR('a', 2, int)
#define IOCTL_SET_SIZE _IOW('a', 3, int)

int main() {
    int fd;
    char buffer[1024];
    ssize_t bytes;
    int size;
    
    // 디바이스 열기
    fd = open(DEVICE_PATH, O_RDWR);
    if (fd < 0) {
        perror("Failed to open device");
        return 1;
    }
    
    printf("Device opened successfully\n");
    
    // 디바이스에 데이터 쓰기
    const char *test_data = "Hello from userspace!";
    bytes = write(fd, test_data, strlen(test_data));
    printf("Written %zd bytes: %s\n", bytes, test_data);
    
    // TODO 10: ask the driver for its buffer size with ioctl(fd, IOCTL_GET_SIZE, &size) and,
    //          when that returns 0, print "Current buffer size: N bytes". Further down, do the
    //          same after resetting the buffer (ioctl(fd, IOCTL_RESET) == 0: print
    //          "Buffer reset successfully", then "Buffer size after reset: N bytes").
    
    // 디바이스에서 데이터 읽기
    lseek(fd, 0, SEEK_SET);  // 처음으로 이동
    bytes = read(fd, buffer, sizeof(buffer) - 1);
    if (bytes > 0) {
        buffer[bytes] = '\0';
        printf("Read %zd bytes: %s\n", bytes, buffer);
    }
    
    // (TODO 10, continued: reset, then the size after the reset.)

    close(fd);
    printf("Device closed\n");
    
    return 0;
}
