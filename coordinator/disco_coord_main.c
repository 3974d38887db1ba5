/* placeholder replaced by the control-plane work in progress */
int main(void)
{
    return 0;
}
